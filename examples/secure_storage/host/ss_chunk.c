/*
 * Chunk size negotiation: the client starts from the largest size the
 * TA accepts (INFO) and the user allows, and halves it while the TEE
 * refuses shared memory of that size, down to the TA's minimum.
 */
#include "ss_cli.h"

size_t ss_chunk_first(size_t requested, size_t ta_max, size_t ta_min,
		      uint64_t file_size)
{
	size_t sz = requested ? requested : SS_MAX_CHUNK;
	uint64_t need;

	if (ta_min < SS_MIN_CHUNK)
		ta_min = SS_MIN_CHUNK;
	if (ta_max && sz > ta_max)
		sz = ta_max;
	/* No 1 MiB buffer for a 10-byte file: a 4 KiB multiple enough to
	 * hold it. */
	need = (file_size + 4095) / 4096 * 4096;
	if (need < sz)
		sz = (size_t)need;
	if (sz < ta_min)
		sz = ta_min;
	return sz;
}

size_t ss_chunk_next(size_t sz, size_t ta_min)
{
	if (ta_min < SS_MIN_CHUNK)
		ta_min = SS_MIN_CHUNK;
	if (sz <= ta_min)
		return 0;
	sz /= 2;
	return sz < ta_min ? ta_min : sz;
}
