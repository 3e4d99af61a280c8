/* Joined writes (write_gather.h). */
#include "write_gather.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define GATHER_IOV 64

/* Writes iov[0..cnt) (total bytes) at off, looping over short writes. */
static int writev_all(int fd, struct iovec *iov, int cnt, uint64_t off,
		      uint64_t total)
{
	ssize_t n;

	while (total > 0) {
		n = pwritev(fd, iov, cnt, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		off += (uint64_t)n;
		total -= (uint64_t)n;
		/* Skip what was written (and empty entries). */
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* Reads [off, off + len) into buf; bytes past the end of file are 0. */
static int read_span(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	memset(buf + got, 0, len - got);
	return 0;
}

/* A piece: sorted writes w[ix[0..n)] covering [start, end). */
struct piece {
	const struct write_gather_op *w;
	const uint16_t *ix;
	size_t n;
	uint64_t start, end;
	bool gaps;
};

static int piece_write(int fd, const struct piece *p, uint8_t **scratch)
{
	struct iovec iov[GATHER_IOV];
	size_t i;
	int rc;

	if (!p->gaps) {
		for (i = 0; i < p->n; i++) {
			iov[i].iov_base = (void *)p->w[p->ix[i]].buf;
			iov[i].iov_len = p->w[p->ix[i]].len;
		}
		return writev_all(fd, iov, (int)p->n, p->start,
				  p->end - p->start);
	}
	if (!*scratch && !(*scratch = malloc(WRITE_GATHER_SPAN)))
		return -ENOMEM;
	rc = read_span(fd, *scratch, p->end - p->start, p->start);
	if (rc)
		return rc;
	for (i = 0; i < p->n; i++) {
		const struct write_gather_op *o = &p->w[p->ix[i]];

		memcpy(*scratch + (o->off - p->start), o->buf, o->len);
	}
	iov[0].iov_base = *scratch;
	iov[0].iov_len = p->end - p->start;
	return writev_all(fd, iov, 1, p->start, p->end - p->start);
}

/* Can sorted write o join piece p? */
static bool piece_takes(const struct piece *p, const struct write_gather_op *o)
{
	uint64_t gap = o->off - p->end;

	if (!p->n)
		return true;
	if (gap == 0 && !p->gaps)
		return p->n < GATHER_IOV; /* one pwritev, no read */
	return gap <= WRITE_GATHER_GAP &&
	       o->off + o->len - p->start <= WRITE_GATHER_SPAN;
}

/* True if write i goes before write j: by offset, then submit order. */
static bool before(const struct write_gather_op *w, uint16_t i, uint16_t j)
{
	return w[i].off != w[j].off ? w[i].off < w[j].off : i < j;
}

/* Sorts ix[0..n) (bottom-up merge sort, stable, through tmp). */
static void sort_ix(const struct write_gather_op *w, uint16_t *ix,
		    uint16_t *tmp, size_t n)
{
	size_t width, lo, mid, hi, a, b, k;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			for (a = lo, b = mid, k = lo; k < hi; k++)
				tmp[k] = a < mid && (b >= hi ||
						     before(w, ix[a], ix[b]))
					     ? ix[a++]
					     : ix[b++];
		}
		memcpy(ix, tmp, n * sizeof(*ix));
	}
}

/* In order, one pwritev per run of writes that continue each other. */
static int write_in_order(int fd, const struct write_gather_op *w, size_t n)
{
	struct iovec iov[GATHER_IOV];
	size_t i = 0, k;
	uint64_t end;
	int rc;

	while (i < n) {
		end = w[i].off;
		for (k = 0; i + k < n && k < GATHER_IOV && w[i + k].off == end;
		     k++) {
			iov[k].iov_base = (void *)w[i + k].buf;
			iov[k].iov_len = w[i + k].len;
			end += w[i + k].len;
		}
		rc = writev_all(fd, iov, (int)k, w[i].off, end - w[i].off);
		if (rc)
			return rc;
		i += k;
	}
	return 0;
}

/* ix = the non-empty writes sorted by offset; false if any overlap. */
static bool sort_writes(const struct write_gather_op *w, size_t n, uint16_t *ix,
			size_t *m)
{
	uint16_t tmp[WRITE_GATHER_MAX];
	size_t i;

	*m = 0;
	for (i = 0; i < n; i++)
		if (w[i].len)
			ix[(*m)++] = (uint16_t)i;
	sort_ix(w, ix, tmp, *m);
	for (i = 1; i < *m; i++)
		if (w[ix[i - 1]].off + w[ix[i - 1]].len > w[ix[i]].off)
			return false;
	return true;
}

int write_gather(int fd, const struct write_gather_op *w, size_t n)
{
	uint16_t ix[WRITE_GATHER_MAX];
	struct piece p = {.w = w};
	uint8_t *scratch = NULL;
	size_t m, i;
	int rc = 0;

	if (n > WRITE_GATHER_MAX)
		return -EINVAL;
	if (n <= 1 || !sort_writes(w, n, ix, &m))
		return write_in_order(fd, w, n);
	for (i = 0; i < m && !rc; i++) {
		const struct write_gather_op *o = &w[ix[i]];

		if (!piece_takes(&p, o)) {
			rc = piece_write(fd, &p, &scratch);
			p.n = 0;
		}
		if (!p.n) {
			p.ix = &ix[i];
			p.start = o->off;
			p.gaps = false;
		} else if (o->off != p.end) {
			p.gaps = true;
		}
		p.end = o->off + o->len;
		p.n++;
	}
	if (!rc && p.n)
		rc = piece_write(fd, &p, &scratch);
	free(scratch);
	return rc;
}
