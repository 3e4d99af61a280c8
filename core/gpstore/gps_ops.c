/*
 * The storages behind gpstore through one table of object operations
 * (OP-TEE's tee_file_operations idea): the REE FS engine (tstore.h) and
 * the RPMB FS (rpmbfs.h), both with tstore's contract. The rest of
 * gpstore never knows which one serves a slot.
 */
#include "gps_int.h"
#include "rpmbfs.h"

/* tstore: the calls as they are, objects behind void pointers. */
static TEE_Result ts_create(void *s, const TEE_UUID *ta, const void *id,
			    size_t id_len, const struct tstore_head *head,
			    const void *attrs, size_t attr_len,
			    const void *data, size_t data_len, bool overwrite,
			    void **out)
{
	struct tstore_obj *o = NULL;
	TEE_Result res;

	res = tstore_create(s, ta, id, id_len, head, attrs, attr_len, data,
			    data_len, overwrite, out ? &o : NULL);
	if (!res && out)
		*out = o;
	return res;
}

static TEE_Result ts_open(void *s, const TEE_UUID *ta, const void *id,
			  size_t id_len, void **out)
{
	struct tstore_obj *o = NULL;
	TEE_Result res = tstore_open_obj(s, ta, id, id_len, &o);

	if (!res)
		*out = o;
	return res;
}

static void ts_release(void *o)
{
	tstore_release(o);
}

static TEE_Result ts_read(void *o, uint64_t pos, void *buf, size_t len,
			  size_t *got)
{
	return tstore_read(o, pos, buf, len, got);
}

static TEE_Result ts_write(void *o, uint64_t pos, const void *buf, size_t len)
{
	return tstore_write(o, pos, buf, len);
}

static TEE_Result ts_truncate(void *o, uint64_t len)
{
	return tstore_truncate(o, len);
}

static TEE_Result ts_rename(void *o, const void *id, size_t len)
{
	return tstore_rename(o, id, len);
}

static TEE_Result ts_remove(void *o)
{
	return tstore_remove(o);
}

static TEE_Result ts_remove_id(void *s, const TEE_UUID *ta, const void *id,
			       size_t len)
{
	return tstore_remove_id(s, ta, id, len);
}

static TEE_Result ts_info(void *o, struct tstore_info *info)
{
	return tstore_info(o, info);
}

static TEE_Result ts_read_attrs(void *o, void *buf, size_t len, size_t *alen)
{
	return tstore_read_attrs(o, buf, len, alen);
}

static TEE_Result ts_set_head(void *o, const struct tstore_head *head)
{
	return tstore_set_head(o, head);
}

static TEE_Result ts_enum_next(void *s, const TEE_UUID *ta, uint64_t *cursor,
			       uint8_t *id, size_t *id_len)
{
	return tstore_enum_next(s, ta, cursor, NULL, id, id_len);
}

const struct gps_ops gps_tstore_ops = {
    ts_create,	   ts_open,	ts_release,   ts_read,	    ts_write,
    ts_truncate,   ts_rename,	ts_remove,    ts_remove_id, ts_info,
    ts_read_attrs, ts_set_head, ts_enum_next,
};

/*
 * rpmbfs. An answer of the RPMB device that fails authentication
 * (SECURITY: a forged or replayed frame from the normal world) says
 * nothing about the object, which must not be deleted as corrupt for
 * it: the storage is "not available" for that call.
 */
static TEE_Result rpmb_res(TEE_Result res)
{
	return res == TEE_ERROR_SECURITY ? TEE_ERROR_STORAGE_NOT_AVAILABLE
					 : res;
}

static TEE_Result rf_create(void *s, const TEE_UUID *ta, const void *id,
			    size_t id_len, const struct tstore_head *head,
			    const void *attrs, size_t attr_len,
			    const void *data, size_t data_len, bool overwrite,
			    void **out)
{
	struct rpmbfs_obj *o = NULL;
	TEE_Result res;

	res = rpmbfs_create(s, ta, id, id_len, head, attrs, attr_len, data,
			    data_len, overwrite, out ? &o : NULL);
	if (!res && out)
		*out = o;
	return rpmb_res(res);
}

static TEE_Result rf_open(void *s, const TEE_UUID *ta, const void *id,
			  size_t id_len, void **out)
{
	struct rpmbfs_obj *o = NULL;
	TEE_Result res = rpmbfs_open_obj(s, ta, id, id_len, &o);

	if (!res)
		*out = o;
	return rpmb_res(res);
}

static void rf_release(void *o)
{
	rpmbfs_release(o);
}

static TEE_Result rf_read(void *o, uint64_t pos, void *buf, size_t len,
			  size_t *got)
{
	return rpmb_res(rpmbfs_read(o, pos, buf, len, got));
}

static TEE_Result rf_write(void *o, uint64_t pos, const void *buf, size_t len)
{
	return rpmb_res(rpmbfs_write(o, pos, buf, len));
}

static TEE_Result rf_truncate(void *o, uint64_t len)
{
	return rpmb_res(rpmbfs_truncate(o, len));
}

static TEE_Result rf_rename(void *o, const void *id, size_t len)
{
	return rpmb_res(rpmbfs_rename(o, id, len));
}

static TEE_Result rf_remove(void *o)
{
	return rpmb_res(rpmbfs_remove(o));
}

static TEE_Result rf_remove_id(void *s, const TEE_UUID *ta, const void *id,
			       size_t len)
{
	return rpmb_res(rpmbfs_remove_id(s, ta, id, len));
}

static TEE_Result rf_info(void *o, struct tstore_info *info)
{
	return rpmb_res(rpmbfs_info(o, info));
}

static TEE_Result rf_read_attrs(void *o, void *buf, size_t len, size_t *alen)
{
	return rpmb_res(rpmbfs_read_attrs(o, buf, len, alen));
}

static TEE_Result rf_set_head(void *o, const struct tstore_head *head)
{
	return rpmb_res(rpmbfs_set_head(o, head));
}

static TEE_Result rf_enum_next(void *s, const TEE_UUID *ta, uint64_t *cursor,
			       uint8_t *id, size_t *id_len)
{
	TEE_UUID u;

	return rpmb_res(rpmbfs_enum_next(s, ta, cursor, &u, id, id_len));
}

const struct gps_ops gps_rpmbfs_ops = {
    rf_create,	   rf_open,	rf_release,   rf_read,	    rf_write,
    rf_truncate,   rf_rename,	rf_remove,    rf_remove_id, rf_info,
    rf_read_attrs, rf_set_head, rf_enum_next,
};
