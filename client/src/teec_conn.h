/*
 * libteec's connection to teed (one per TEEC_Context): connect and
 * handshake, and request/reply matching for many threads at once. The
 * TEEC_Context struct only holds the socket fd; the state lives here, found
 * by fd in a process-wide table.
 *
 * Replies are matched to callers by request id, leader/follower style: a
 * waiting thread reads the socket only when no other thread is reading,
 * and hands each reply to its owner. A single-threaded caller therefore
 * reads its own reply with no thread switch.
 */
#ifndef TEESTORE_TEEC_CONN_H
#define TEESTORE_TEEC_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "driver_msg.h"
#include "tee_client_api.h"

struct teec_conn;

struct teec_reply {
	uint32_t type;
	size_t len;
	int fd; /* first fd carried, or -1; the caller closes it */
	uint8_t buf[DRV_MAX_MSG];
};

/* Connects to path and says HELLO. Returns a TEEC_Result. */
TEEC_Result teec_conn_open(const char *path, int *fd_out);

/* Closes the connection of this fd (teed then frees what it held). */
void teec_conn_close(int fd);

/* The connection of fd with a reference, or NULL. */
struct teec_conn *teec_conn_get(int fd);
void teec_conn_put(struct teec_conn *c);

/* A fresh cancel id for a call on c. */
uint32_t teec_conn_cancel_id(struct teec_conn *c);

/*
 * Sends one request and waits for its reply. op, session and cancel_id
 * make the call findable by teec_conn_cancel (op may be NULL). Returns
 * TEEC_SUCCESS when a reply of the right type arrived (its own status is
 * inside), TEEC_ERROR_COMMUNICATION otherwise.
 */
TEEC_Result teec_conn_call(struct teec_conn *c, uint32_t type,
			   const void *payload, size_t len, const int *fds,
			   size_t nfds, const TEEC_Operation *op,
			   uint32_t session, uint32_t cancel_id,
			   struct teec_reply *rep);

/* Asks teed to cancel the call in flight with op, if any. */
void teec_conn_cancel(const TEEC_Operation *op);

#endif
