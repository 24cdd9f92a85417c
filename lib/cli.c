#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"

/* The options that choose a mode other than serving, by mode. */
static const char *const cli_mode_opts[CLI_MODE__MAX] = {
	[CLI_CHECK_CONFIG] = "check-config",
	[CLI_MIGRATE] = "migrate",
	[CLI_PURGE] = "purge",
	[CLI_SESSIONS] = "sessions",
	[CLI_REVOKE_SESSIONS] = "revoke-sessions",
	[CLI_MAP_OWNER] = "map-owner",
};

static bool
cli_mode_admin(enum cli_mode m)
{
	return m == CLI_PURGE || m == CLI_SESSIONS || m == CLI_REVOKE_SESSIONS;
}

/* A USER argument: 1 to CLI_USER_MAX bytes, no control bytes. */
static bool
cli_user_ok(const char *prog, const char *opt, const char *u)
{
	size_t n = strlen(u), i;

	if (n == 0 || n > CLI_USER_MAX) {
		fprintf(stderr, "%s: --%s: USER must be 1 to %d bytes\n", prog,
		    opt, CLI_USER_MAX);
		return false;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] < 0x20 || u[i] == 0x7f) {
			fprintf(stderr, "%s: --%s: USER holds a control "
			    "character\n", prog, opt);
			return false;
		}
	return true;
}

enum cli_mode
cli_parse_args(int argc, char *argv[], const char *env, bool admin,
    struct cli_args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "purge", no_argument, NULL, 'P' },
		{ "sessions", required_argument, NULL, 'S' },
		{ "revoke-sessions", required_argument, NULL, 'R' },
		{ "map-owner", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_mode m, first, second;
	int	 c;

	a->mode = CLI_SERVE;
	a->user = NULL;
	a->file = NULL;
	a->config = getenv(env);
	if (a->config != NULL && *a->config == '\0')
		a->config = NULL;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			continue;
		case 'k':
			m = CLI_CHECK_CONFIG;
			break;
		case 'm':
			m = CLI_MIGRATE;
			break;
		case 'P':
			m = CLI_PURGE;
			break;
		case 'S':
			m = CLI_SESSIONS;
			break;
		case 'R':
			m = CLI_REVOKE_SESSIONS;
			break;
		case 'O':
			m = CLI_MAP_OWNER;
			break;
		case 'h':
			return a->mode = CLI_HELP;
		case 'V':
			return a->mode = CLI_VERSION;
		default:
			return a->mode = CLI_ERROR;
		}
		if (cli_mode_admin(m) && !admin) {
			fprintf(stderr, "%s: --%s is a command of the web app "
			    "(todo-webapp.fcgi) only\n", argv[0],
			    cli_mode_opts[m]);
			return a->mode = CLI_ERROR;
		}
		if (m == CLI_MAP_OWNER && admin) {
			fprintf(stderr, "%s: --%s is a command of the API "
			    "(todo-api.fcgi) only\n", argv[0],
			    cli_mode_opts[m]);
			return a->mode = CLI_ERROR;
		}
		if (a->mode == m) {
			fprintf(stderr, "%s: --%s given twice\n", argv[0],
			    cli_mode_opts[m]);
			return a->mode = CLI_ERROR;
		}
		if (a->mode != CLI_SERVE) {
			first = a->mode < m ? a->mode : m;
			second = a->mode < m ? m : a->mode;
			fprintf(stderr, "%s: --%s and --%s exclude each "
			    "other\n", argv[0], cli_mode_opts[first],
			    cli_mode_opts[second]);
			return a->mode = CLI_ERROR;
		}
		if (m == CLI_SESSIONS || m == CLI_REVOKE_SESSIONS) {
			if (!cli_user_ok(argv[0], cli_mode_opts[m], optarg))
				return a->mode = CLI_ERROR;
			a->user = optarg;
		}
		if (m == CLI_MAP_OWNER) {
			if (*optarg == '\0') {
				fprintf(stderr, "%s: --map-owner: FILE is "
				    "empty\n", argv[0]);
				return a->mode = CLI_ERROR;
			}
			a->file = optarg;
		}
		a->mode = m;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument: %s\n", argv[0],
		    argv[optind]);
		return a->mode = CLI_ERROR;
	}
	return a->mode;
}

enum cli_mode
cli_parse(int argc, char *argv[], const char *env, const char **config)
{
	struct cli_args a;

	cli_parse_args(argc, argv, env, false, &a);
	*config = a.config;
	return a.mode;
}

static void
cli_usage_text(const char *prog, const char *env, const char *what,
    bool admin)
{
	if (admin)
		printf("usage: %s [--config FILE]\n"
		    "           [--check-config | --migrate | --purge |\n"
		    "            --sessions USER | --revoke-sessions USER]\n",
		    prog);
	else
		printf("usage: %s [--config FILE]\n"
		    "           [--check-config | --migrate | --map-owner FILE]"
		    "\n", prog);
	printf("       %s --help | --version\n\n"
	    "%s\n\n"
	    "Started by a web server (Apache mod_fcgid, lighttpd mod_fastcgi)\n"
	    "it answers FastCGI requests on file descriptor 0.\n\n"
	    "  --config FILE    configuration file (default: $%s)\n"
	    "  --check-config   check the file, fetch the provider metadata\n"
	    "                   and keys, try the database, and exit\n"
	    "  --migrate        apply the database migrations and exit\n",
	    prog, what, env);
	if (admin)
		printf("  --purge          delete expired sessions and sign-in "
		    "requests, and exit\n"
		    "  --sessions USER  list the sessions of USER (the oid or "
		    "sub claim),\n"
		    "                   never their ids, and exit\n"
		    "  --revoke-sessions USER\n"
		    "                   end every session of USER and delete "
		    "its tokens,\n"
		    "                   and exit\n");
	if (!admin)
		printf("  --map-owner FILE move the tasks of each owner in FILE "
		    "(lines\n"
		    "                   OLD_ISS,OLD_OID,NEW_ISS,NEW_OID; - for "
		    "standard\n"
		    "                   input) to the new owner, in one "
		    "transaction, and exit\n");
	printf("  --help           this text\n"
	    "  --version        the version\n");
}

void
cli_usage(const char *prog, const char *env, const char *what)
{
	cli_usage_text(prog, env, what, false);
}

void
cli_usage_prog(const struct cli_prog *p, bool admin)
{
	cli_usage_text(p->file, p->env, p->what, admin);
}

bool
cli_harden(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		return false;
#ifdef __linux__
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return false;
#endif
	return true;
}

int
cli_start_args(const struct cli_prog *p, bool admin, int argc, char *argv[],
    struct cli_args *a)
{
	if (!cli_harden()) {
		fprintf(stderr, "%s: cannot turn core dumps off: %s\n",
		    p->name, strerror(errno));
		a->mode = CLI_ERROR;
		a->config = a->user = a->file = NULL;
		return 1;
	}
	switch (cli_parse_args(argc, argv, p->env, admin, a)) {
	case CLI_HELP:
		cli_usage_prog(p, admin);
		return 0;
	case CLI_VERSION:
		printf("%s (%s) %s\n", p->file, PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	case CLI_ERROR:
		fprintf(stderr, "try: %s --help\n", p->file);
		return 2;
	default:
		break;
	}
	if (a->config == NULL) {
		fprintf(stderr, "%s: no configuration: give --config FILE or "
		    "set %s\n", p->name, p->env);
		return 1;
	}
	return -1;
}

int
cli_start(const struct cli_prog *p, int argc, char *argv[],
    enum cli_mode *mode, const char **config)
{
	struct cli_args a;
	int	 rc;

	rc = cli_start_args(p, false, argc, argv, &a);
	*mode = a.mode;
	*config = a.config;
	return rc;
}
