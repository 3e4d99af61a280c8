/*
 * The `secure_storage` client: command line, ID rules, chunk size choice,
 * progress line and error reporting (ss_client_core, no TEE needed, unit
 * tested), and the commands that talk to the TA (ss_tee.c, ss_put.c,
 * ss_get.c, ss_cmds.c). docs/secure-storage-app.md is the manual.
 */
#ifndef SS_CLI_H
#define SS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "secure_storage_ta.h"

/* Exit codes a script can rely on (docs/secure-storage-app.md). */
enum ss_exit {
	SS_EXIT_OK = 0,
	SS_EXIT_FAILURE = 1,   /* any other failure */
	SS_EXIT_USAGE = 2,     /* bad command line or object ID */
	SS_EXIT_NOT_FOUND = 3, /* no such object */
	SS_EXIT_INTEGRITY = 4, /* stored data or a transfer failed its check */
	SS_EXIT_TEE = 5,  /* TEE unreachable, TA dead, storage unavailable */
	SS_EXIT_BUSY = 6, /* another client holds the object */
	SS_EXIT_NO_SPACE = 7, /* secure storage full */
	SS_EXIT_LOCAL_IO = 8, /* reading FILE or writing the output failed */
	SS_EXIT_INTERRUPTED = 130, /* SIGINT/SIGTERM: a put can be resumed */
};

enum ss_cmd {
	SS_CMD_NONE,
	SS_CMD_PUT,
	SS_CMD_GET,
	SS_CMD_LS,
	SS_CMD_STAT,
	SS_CMD_RM,
	SS_CMD_VERIFY,
	SS_CMD_HELP,
};

struct ss_opts {
	enum ss_cmd cmd;
	const char *file; /* put: input; get: output ("-": stdout) */
	const char *id;
	uint32_t storage;  /* TEE_STORAGE_* */
	size_t chunk_size; /* 0: the largest the TA and the TEE accept */
	bool resume;
	bool serial;  /* one chunk buffer (ss_bg.h) */
	int progress; /* -1 auto (a terminal), 0 never, 1 always */
};

/* Largest --chunk-size accepted on the command line. */
#define SS_CLI_CHUNK_LIMIT (64u * 1024 * 1024)

/* ss_args.c */
/* Parses argv; on error writes the message to err (errlen bytes) and
 * returns SS_EXIT_USAGE. */
int ss_args_parse(int argc, char **argv, struct ss_opts *o, char *err,
		  size_t errlen);
void ss_usage(FILE *out);
const char *ss_storage_name(uint32_t storage);

/* ss_id.c */
/* 0 if id is a valid object ID; else a message for a person in err. */
int ss_id_check(const char *id, char *err, size_t errlen);
/* The ID put uses for FILE when none is given: its base name. */
int ss_id_from_file(const char *file, char *id, size_t idlen, char *err,
		    size_t errlen);
/* The file get writes when none is given: the last part of id. */
int ss_file_from_id(const char *id, char *file, size_t len, char *err,
		    size_t errlen);

/* ss_chunk.c */
/* The first chunk size to try: the request (or SS_MAX_CHUNK) capped by
 * the TA's maximum and by what the file needs, at least the minimum. */
size_t ss_chunk_first(size_t requested, size_t ta_max, size_t ta_min,
		      uint64_t file_size);
/* The next smaller size to try when the TEE refused sz; 0 = give up. */
size_t ss_chunk_next(size_t sz, size_t ta_min);

/* ss_progress.c */
struct ss_progress {
	bool on;
	const char *label;
	uint64_t total;
	double start, last;
	uint64_t done;
};
void ss_progress_start(struct ss_progress *p, bool on, const char *label,
		       uint64_t total);
void ss_progress_update(struct ss_progress *p, uint64_t done);
void ss_progress_end(struct ss_progress *p);
/* One progress line (no newline) for done of total after elapsed s. */
void ss_progress_format(char *buf, size_t len, const char *label, uint64_t done,
			uint64_t total, double elapsed, int width);
/* "1.5 MiB" style. */
void ss_format_size(char *buf, size_t len, double bytes);
double ss_now(void);

/* ss_err.c */
/* The exit code for a TEE result. */
int ss_exit_for(uint32_t res);
/* "TEE_ERROR_X (0x...) from TEE_ORIGIN_Y: explanation" */
void ss_err_describe(char *buf, size_t len, uint32_t res, uint32_t origin);
/* Prints "secure_storage: <what>: <description>" to stderr; returns the
 * exit code for res. */
int ss_err_report(const char *what, uint32_t res, uint32_t origin);

#endif /* SS_CLI_H */
