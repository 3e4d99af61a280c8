/* The client's command line (usage text: ss_usage). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "tee_api_defines.h"

void ss_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: secure_storage [OPTIONS] COMMAND [ARGS]\n"
	    "Stores files in the TEE's trusted storage (encrypted, "
	    "integrity-checked).\n"
	    "\n"
	    "commands:\n"
	    "  put FILE [ID]      store FILE under ID (default: FILE's "
	    "name)\n"
	    "  get ID [FILE|-]    write the object to FILE (default: ID's "
	    "last part), - is stdout\n"
	    "  ls                 list the stored objects\n"
	    "  stat ID            size, SHA-256 and transfer state of ID\n"
	    "  rm ID              delete ID (and an unfinished transfer to "
	    "it)\n"
	    "  verify ID          re-read ID in the TEE and check its "
	    "SHA-256\n"
	    "\n"
	    "options:\n"
	    "  --storage private|ree|rpmb   which trusted storage (default "
	    "private)\n"
	    "  --chunk-size N[K|M]          largest chunk per call "
	    "(default: the largest\n"
	    "                               the TA and the TEE accept, "
	    "16K..1M)\n"
	    "  --resume                     put: continue an interrupted "
	    "put of FILE\n"
	    "  --serial                     one chunk buffer: no reading "
	    "ahead (put) or\n"
	    "                               writing behind (get) while the "
	    "TEE works\n"
	    "  --progress / --no-progress   force the progress bar on or "
	    "off (default:\n"
	    "                               on when stderr is a terminal)\n"
	    "  -h, --help                   this text\n"
	    "\n"
	    "IDs: 1..%d characters of A-Z a-z 0-9 . _ - + = , : @ # %% ~ /,"
	    " not starting with '.'.\n"
	    "exit codes: 0 ok, 1 other failure, 2 usage or bad ID, 3 not "
	    "found,\n"
	    "  4 integrity check failed, 5 TEE unavailable, 6 busy (another "
	    "client),\n"
	    "  7 storage full, 8 local file error, 130 interrupted (put: "
	    "use --resume).\n"
	    "The TEE is found through $TEESTORE_SOCKET (as set by "
	    "tee-run).\n",
	    SS_ID_MAX);
}

const char *ss_storage_name(uint32_t storage)
{
	switch (storage) {
	case TEE_STORAGE_PRIVATE_REE:
		return "ree";
	case TEE_STORAGE_PRIVATE_RPMB:
		return "rpmb";
	default:
		return "private";
	}
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return SS_EXIT_USAGE;
}

static int parse_storage(const char *s, uint32_t *storage)
{
	if (!strcmp(s, "private"))
		*storage = TEE_STORAGE_PRIVATE;
	else if (!strcmp(s, "ree"))
		*storage = TEE_STORAGE_PRIVATE_REE;
	else if (!strcmp(s, "rpmb"))
		*storage = TEE_STORAGE_PRIVATE_RPMB;
	else
		return -1;
	return 0;
}

/* "65536", "64K", "1M" (binary units). */
static int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	if (*end || v > SS_CLI_CHUNK_LIMIT)
		return -1;
	*out = (size_t)v;
	return 0;
}

static const struct {
	const char *name;
	enum ss_cmd cmd;
	int min, max; /* operands after the command */
} ss_cmds[] = {
    {"put", SS_CMD_PUT, 1, 2},	 {"get", SS_CMD_GET, 1, 2},
    {"ls", SS_CMD_LS, 0, 0},	 {"stat", SS_CMD_STAT, 1, 1},
    {"rm", SS_CMD_RM, 1, 1},	 {"verify", SS_CMD_VERIFY, 1, 1},
    {"help", SS_CMD_HELP, 0, 0},
};

/* The command and its operands, after the options. */
static int parse_operands(int n, char **v, struct ss_opts *o, char *err,
			  size_t errlen)
{
	size_t i;

	if (n == 0)
		return fail(err, errlen, "no command (try --help)");
	for (i = 0; i < sizeof(ss_cmds) / sizeof(ss_cmds[0]); i++)
		if (!strcmp(v[0], ss_cmds[i].name))
			break;
	if (i == sizeof(ss_cmds) / sizeof(ss_cmds[0]))
		return fail(err, errlen, "unknown command '%s' (try --help)",
			    v[0]);
	if (n - 1 < ss_cmds[i].min || n - 1 > ss_cmds[i].max)
		return fail(err, errlen,
			    "%s: wrong number of arguments "
			    "(try --help)",
			    v[0]);
	o->cmd = ss_cmds[i].cmd;
	if (o->cmd == SS_CMD_PUT) {
		o->file = v[1];
		o->id = n > 2 ? v[2] : NULL;
	} else if (o->cmd == SS_CMD_GET) {
		o->id = v[1];
		o->file = n > 2 ? v[2] : NULL;
	} else if (n > 1) {
		o->id = v[1];
	}
	if (o->resume && o->cmd != SS_CMD_PUT)
		return fail(err, errlen, "--resume only goes with put");
	return SS_EXIT_OK;
}

int ss_args_parse(int argc, char **argv, struct ss_opts *o, char *err,
		  size_t errlen)
{
	enum {
		OPT_STORAGE = 256,
		OPT_CHUNK,
		OPT_RESUME,
		OPT_SERIAL,
		OPT_PROG,
		OPT_NOPROG
	};
	static const struct option longopts[] = {
	    {"storage", required_argument, NULL, OPT_STORAGE},
	    {"chunk-size", required_argument, NULL, OPT_CHUNK},
	    {"resume", no_argument, NULL, OPT_RESUME},
	    {"serial", no_argument, NULL, OPT_SERIAL},
	    {"progress", no_argument, NULL, OPT_PROG},
	    {"no-progress", no_argument, NULL, OPT_NOPROG},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->storage = TEE_STORAGE_PRIVATE;
	o->progress = -1;
	optind = 1;
	opterr = 0;
	/* Options may stand anywhere; "--" ends them (a file named -x). */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STORAGE:
			if (parse_storage(optarg, &o->storage))
				return fail(err, errlen,
					    "--storage: '%s' is not private, "
					    "ree or rpmb",
					    optarg);
			break;
		case OPT_CHUNK:
			if (parse_size(optarg, &o->chunk_size) ||
			    o->chunk_size < SS_MIN_CHUNK)
				return fail(err, errlen,
					    "--chunk-size: '%s' is not a size "
					    "from 16K to 64M",
					    optarg);
			break;
		case OPT_RESUME:
			o->resume = true;
			break;
		case OPT_SERIAL:
			o->serial = true;
			break;
		case OPT_PROG:
		case OPT_NOPROG:
			o->progress = c == OPT_PROG;
			break;
		case 'h':
			o->cmd = SS_CMD_HELP;
			return SS_EXIT_OK;
		default:
			return fail(err, errlen,
				    "unknown or incomplete option "
				    "'%s' (try --help)",
				    argv[optind - 1]);
		}
	}
	return parse_operands(argc - optind, argv + optind, o, err, errlen);
}
