/*
 * cli: the command line both programs share, and what every start does
 * first: core dumps off (a dump would hold tokens, the client secret
 * and the cache key).  The administration commands (--purge,
 * --sessions, --revoke-sessions) are taken only when the caller says
 * "admin" (the web app); the API refuses them as a usage error.  What
 * cli_parse returns points into argv or the environment: borrowed for
 * the life of the program.
 */
#ifndef TODO_CLI_H
#define TODO_CLI_H

#include <stdbool.h>

#define CLI_USER_MAX 256	/* bytes of a USER argument */

enum cli_mode {
	CLI_SERVE,		/* FastCGI responder (the default) */
	CLI_CHECK_CONFIG,	/* --check-config */
	CLI_MIGRATE,		/* --migrate */
	CLI_HELP,		/* --help */
	CLI_VERSION,		/* --version */
	CLI_ERROR,		/* bad usage: message printed */
	CLI_PURGE,		/* --purge (admin) */
	CLI_SESSIONS,		/* --sessions USER (admin) */
	CLI_REVOKE_SESSIONS,	/* --revoke-sessions USER (admin) */
	CLI_MAP_OWNER,		/* --map-owner FILE (the API only) */
	CLI_MODE__MAX
};

/* What the command line asked for. */
struct cli_args {
	enum cli_mode	 mode;
	const char	*config;	/* --config, else $env, else NULL */
	const char	*user;		/* of --sessions, --revoke-sessions */
	const char	*file;		/* of --map-owner */
};

/*
 * Parse argv.  *config is the --config argument, else the value of the
 * environment variable "env", else NULL.  Refuses the administration
 * commands (CLI_ERROR).
 */
enum cli_mode cli_parse(int argc, char *argv[], const char *env,
	    const char **config);
/*
 * The same into *a; "admin" allows the administration commands.  USER
 * must be 1 to CLI_USER_MAX bytes without control bytes.  At most one
 * of --check-config, --migrate, --purge, --sessions and
 * --revoke-sessions.  Returns a->mode.
 */
enum cli_mode cli_parse_args(int argc, char *argv[], const char *env,
	    bool admin, struct cli_args *a);
/* Print the usage text for "prog" (whose config variable is "env"). */
void	cli_usage(const char *prog, const char *env, const char *what);

/* A program, for cli_start(). */
struct cli_prog {
	const char	*name;		/* "todo-api", for messages */
	const char	*file;		/* "todo-api.fcgi", for usage */
	const char	*env;		/* "TODO_API_CONFIG" */
	const char	*what;		/* one sentence for --help */
};

/* The usage text of p, with the administration commands when "admin". */
void	cli_usage_prog(const struct cli_prog *p, bool admin);

/*
 * Turn core dumps off (RLIMIT_CORE 0, PR_SET_DUMPABLE 0), parse argv and
 * answer --help, --version and usage errors, and refuse to go on without
 * a configuration file.  Returns -1 with *mode and *config set when the
 * program should go on, else its exit status (1 also when core dumps
 * cannot be turned off).
 */
int	cli_start(const struct cli_prog *, int argc, char *argv[],
	    enum cli_mode *mode, const char **config);
/*
 * The same into *a (mode, config, user); "admin" allows the
 * administration commands and lists them in --help.
 */
int	cli_start_args(const struct cli_prog *, bool admin, int argc,
	    char *argv[], struct cli_args *a);
/* Core dumps off, as cli_start does first; false (errno) on failure. */
bool	cli_harden(void);

#endif
