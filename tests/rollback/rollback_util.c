#include "rollback_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "test.h"

const uint8_t rb_huk[16] = {1, 2,  3,  4,  5,  6,  7,  8,
			    9, 10, 11, 12, 13, 14, 15, 16};
const TEE_UUID rb_ta = {0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};
const struct tstore_head rb_data_head = {
    .object_type = 0xA00000BF,
    .object_usage = 0xFFFFFFFF,
};

TEE_Result rb_put(struct tstore *s, const char *id, uint64_t gen)
{
	uint8_t buf[RB_DATA_LEN];
	struct tstore_obj *o;
	TEE_Result res;

	test_fill_pattern(buf, sizeof(buf), gen);
	res = tstore_open_obj(s, &rb_ta, id, strlen(id), &o);
	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		return tstore_create(s, &rb_ta, id, strlen(id), &rb_data_head,
				     NULL, 0, buf, sizeof(buf), false, NULL);
	if (res)
		return res;
	res = tstore_write(o, 0, buf, sizeof(buf));
	tstore_release(o);
	return res;
}

void rb_put_each(struct tstore *s, const struct rb_gen *gens, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		TEE_Result res = rb_put(s, gens[i].id, gens[i].gen);

		CHECK_EQ(res, TEE_SUCCESS);
		if (res)
			fprintf(stderr,
				"  (putting %s at generation %" PRIu64 ")\n",
				gens[i].id, gens[i].gen);
	}
}

TEE_Result rb_snapshot_then(rb_commits_fn *commits, void *rig,
			    struct backend *ree, struct backend **snap,
			    const struct rb_gen *gens, size_t n)
{
	TEE_Result res;

	commits(rig, RB_HISTORY);
	res = backend_fake_clone(ree, snap);
	if (res)
		return res;
	commits(rig, gens, n);
	return TEE_SUCCESS;
}

TEE_Result rb_get(struct tstore *s, const char *id, uint64_t max_gen,
		  uint64_t *gen)
{
	uint8_t buf[RB_DATA_LEN], want[RB_DATA_LEN];
	struct tstore_obj *o;
	TEE_Result res;
	size_t got = 0;
	uint64_t g;

	*gen = 0;
	res = tstore_open_obj(s, &rb_ta, id, strlen(id), &o);
	if (res)
		return res;
	res = tstore_read(o, 0, buf, sizeof(buf), &got);
	tstore_release(o);
	if (res)
		return res;
	for (g = 1; got == sizeof(buf) && g <= max_gen; g++) {
		test_fill_pattern(want, sizeof(want), g);
		if (!memcmp(buf, want, sizeof(buf)))
			*gen = g;
	}
	return TEE_SUCCESS;
}

TEE_Result rb_copy_file(struct backend *dst, struct backend *src,
			const char *name)
{
	uint8_t *data, *copy;
	size_t len;
	TEE_Result res;

	res = backend_fake_file_data(src, name, &data, &len);
	if (res)
		return res;
	copy = malloc(len ? len : 1);
	if (!copy)
		return TEE_ERROR_OUT_OF_MEMORY;
	memcpy(copy, data, len);
	res = backend_fake_file_set(dst, name, copy, len);
	free(copy);
	return res;
}
