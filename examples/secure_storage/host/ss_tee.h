/*
 * The client's connection to the secure storage TA: context, session,
 * the negotiated chunk size and its shared memory buffer.
 */
#ifndef SS_TEE_H
#define SS_TEE_H

#include <tee_client_api.h>

#include "ss_cli.h"

struct ss_tee {
	TEEC_Context ctx;
	TEEC_Session sess;
	/* Chunk buffers, the TA reads/writes them in place: two, so that the
	 * client works on one while the TA works on the other (ss_bg.h); one
	 * if the TEE grants only one. */
	TEEC_SharedMemory shm[2];
	unsigned int nshm;
	bool have_ctx, have_sess;
	uint32_t ta_max, ta_min; /* chunk sizes the TA accepts (INFO) */
	uint32_t origin;	 /* of the last failed call */
};

/* Connects and asks the TA what it accepts; reports failures and
 * returns an exit code. */
int ss_tee_open(struct ss_tee *t);
void ss_tee_close(struct ss_tee *t);
/* Allocates the chunk buffers: the largest size from ss_chunk_first()
 * down that the TEE grants, then (unless serial) a second one of that
 * size if it can. Returns an exit code. */
int ss_tee_alloc_chunk(struct ss_tee *t, size_t requested, uint64_t file_size,
		       bool serial);
TEEC_Result ss_tee_invoke(struct ss_tee *t, uint32_t cmd, TEEC_Operation *op);
/* The storage ID as the optional value parameter of a command. */
void ss_tee_storage_param(TEEC_Operation *op, int idx, uint32_t storage);

/* The commands (ss_put.c, ss_get.c, ss_cmds.c); each returns an exit
 * code and reports its own errors. */
int ss_cmd_put(const struct ss_opts *o);
int ss_cmd_get(const struct ss_opts *o);
int ss_cmd_ls(const struct ss_opts *o);
int ss_cmd_stat(const struct ss_opts *o);
int ss_cmd_rm(const struct ss_opts *o);
int ss_cmd_verify(const struct ss_opts *o);

/* Set by SIGINT/SIGTERM: transfers stop after the current chunk. */
extern volatile int ss_interrupted;

#endif /* SS_TEE_H */
