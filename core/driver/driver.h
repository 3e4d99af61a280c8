/*
 * teed's client side: the listening socket of the driver ABI
 * (docs/protocol-driver.md), one connection per client application, its
 * sessions and shared memory, and the limits that bound what one client
 * may hold. Calls reach the TA side through core/ta_iface.h.
 *
 *	driver_listen(path, &limits);
 *	driver_serve(stop_fd);    // until stop_fd becomes readable
 *	driver_shutdown();        // closes every client, frees everything
 */
#ifndef TEESTORE_DRIVER_H
#define TEESTORE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

struct driver_limits {
	uint32_t max_sessions;	 /* open sessions per client */
	uint64_t max_shm_call;	 /* memref bytes in one call */
	uint64_t max_shm_client; /* shared memory one client holds */
	uint32_t max_clients;	 /* connections at once */
};

/* 64 sessions, 64 MiB per call, 256 MiB per client, 256 clients. */
void driver_limits_default(struct driver_limits *lim);

/*
 * Binds and listens on path (mode 0660). A stale socket file is replaced;
 * a live one (another teed answers) gives -EADDRINUSE. Returns 0/-errno.
 */
int driver_listen(const char *path, const struct driver_limits *lim);

/* Accepts clients until stop_fd is readable or fails. Returns 0/-errno. */
int driver_serve(int stop_fd);

/*
 * Stops listening, closes every connection (cancelling calls in flight),
 * waits up to timeout_ms for their threads, and removes the socket file.
 */
void driver_shutdown(unsigned timeout_ms);

struct driver_stats {
	uint32_t clients;
	uint32_t sessions;
	uint64_t shm_objects; /* live struct tee_shm, including in calls */
	uint64_t shm_bytes;
};

void driver_get_stats(struct driver_stats *st);

#endif
