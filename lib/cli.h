/* cli: the command line both programs share. */
#ifndef TODO_CLI_H
#define TODO_CLI_H

enum cli_mode {
	CLI_SERVE,		/* FastCGI responder (the default) */
	CLI_CHECK_CONFIG,	/* --check-config */
	CLI_MIGRATE,		/* --migrate */
	CLI_HELP,		/* --help */
	CLI_VERSION,		/* --version */
	CLI_ERROR,		/* bad usage: message printed */
	CLI_MODE__MAX
};

/*
 * Parse argv.  *config is the --config argument, else the value of the
 * environment variable "env", else NULL.
 */
enum cli_mode cli_parse(int argc, char *argv[], const char *env,
	    const char **config);
/* Print the usage text for "prog" (whose config variable is "env"). */
void	cli_usage(const char *prog, const char *env, const char *what);

/* A program, for cli_start(). */
struct cli_prog {
	const char	*name;		/* "todo-api", for messages */
	const char	*file;		/* "todo-api.fcgi", for usage */
	const char	*env;		/* "TODO_API_CONFIG" */
	const char	*what;		/* one sentence for --help */
};

/*
 * Parse argv and answer --help, --version and usage errors, and refuse
 * to go on without a configuration file.  Returns -1 with *mode and
 * *config set when the program should go on, else its exit status.
 */
int	cli_start(const struct cli_prog *, int argc, char *argv[],
	    enum cli_mode *mode, const char **config);

#endif
