/*
 * The progress line on a terminal: a bar, percentage, bytes, rate and
 * ETA, redrawn at most 10 times a second on stderr.
 */
#include <string.h>
#include <time.h>

#include "ss_cli.h"

double ss_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ss_format_size(char *buf, size_t len, double bytes)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;

	while (bytes >= 1024 && u < 4)
		bytes /= 1024, u++;
	if (u == 0)
		snprintf(buf, len, "%.0f B", bytes);
	else
		snprintf(buf, len, "%.1f %s", bytes, unit[u]);
}

static void format_eta(char *buf, size_t len, double s)
{
	unsigned long t;

	if (s < 0 || s > 99 * 3600) {
		snprintf(buf, len, "--:--");
		return;
	}
	t = (unsigned long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60,
			 t % 60);
	else
		snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

void ss_progress_format(char *buf, size_t len, const char *label, uint64_t done,
			uint64_t total, double elapsed, int width)
{
	char bar[64], d[32], t[32], r[32], eta[32];
	double frac = total ? (double)done / (double)total : 1.0;
	double rate = elapsed > 0 ? (double)done / elapsed : 0;
	int i, fill;

	if (frac > 1)
		frac = 1;
	if (width < 0)
		width = 0;
	if (width > (int)sizeof(bar) - 1)
		width = (int)sizeof(bar) - 1;
	fill = (int)(frac * width);
	for (i = 0; i < width; i++)
		bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
	bar[width] = '\0';
	ss_format_size(d, sizeof(d), (double)done);
	ss_format_size(t, sizeof(t), (double)total);
	ss_format_size(r, sizeof(r), rate);
	if (done >= total)
		snprintf(eta, sizeof(eta), "done");
	else
		format_eta(eta, sizeof(eta),
			   rate > 0 ? (double)(total - done) / rate : -1);
	snprintf(buf, len, "%s [%s] %3d%% %s/%s %s/s ETA %s", label, bar,
		 (int)(frac * 100), d, t, r, eta);
}

void ss_progress_start(struct ss_progress *p, bool on, const char *label,
		       uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = on;
	p->label = label;
	p->total = total;
	p->start = ss_now();
}

static void draw(struct ss_progress *p, double now)
{
	char line[256];

	ss_progress_format(line, sizeof(line), p->label, p->done, p->total,
			   now - p->start, 30);
	/* \r and clear to the end of line: the line redraws in place. */
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->last = now;
}

void ss_progress_update(struct ss_progress *p, uint64_t done)
{
	double now;

	p->done = done;
	if (!p->on)
		return;
	now = ss_now();
	if (now - p->last >= 0.1)
		draw(p, now);
}

void ss_progress_end(struct ss_progress *p)
{
	if (!p->on)
		return;
	draw(p, ss_now());
	fputc('\n', stderr);
}
