/* OP-TEE's 24-byte object head: six u32 LE (reference §6). */
#include "bytes.h"
#include "tstore_internal.h"

void tstore_head_encode(const struct tstore_head *h,
			uint8_t raw[TSTORE_HEAD_SIZE])
{
	put_le32(raw + 0, h->attr_size);
	put_le32(raw + 4, h->object_size);
	put_le32(raw + 8, h->max_object_size);
	put_le32(raw + 12, h->object_usage);
	put_le32(raw + 16, h->object_type);
	put_le32(raw + 20, h->have_attrs);
}

void tstore_head_decode(const uint8_t raw[TSTORE_HEAD_SIZE],
			struct tstore_head *h)
{
	h->attr_size = get_le32(raw + 0);
	h->object_size = get_le32(raw + 4);
	h->max_object_size = get_le32(raw + 8);
	h->object_usage = get_le32(raw + 12);
	h->object_type = get_le32(raw + 16);
	h->have_attrs = get_le32(raw + 20);
}
