#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

enum cli_mode
cli_parse(int argc, char *argv[], const char *env, const char **config)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_mode mode = CLI_SERVE;
	int	 c;

	*config = getenv(env);
	if (*config != NULL && **config == '\0')
		*config = NULL;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config = optarg;
			break;
		case 'k':
		case 'm':
			if (mode != CLI_SERVE) {
				fprintf(stderr, "%s: --check-config and "
				    "--migrate exclude each other\n", argv[0]);
				return CLI_ERROR;
			}
			mode = c == 'k' ? CLI_CHECK_CONFIG : CLI_MIGRATE;
			break;
		case 'h':
			return CLI_HELP;
		case 'V':
			return CLI_VERSION;
		default:
			return CLI_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument: %s\n", argv[0],
		    argv[optind]);
		return CLI_ERROR;
	}
	return mode;
}

void
cli_usage(const char *prog, const char *env, const char *what)
{
	printf("usage: %s [--config FILE] [--check-config | --migrate]\n"
	    "       %s --help | --version\n\n"
	    "%s\n\n"
	    "Started by a web server (Apache mod_fcgid, lighttpd mod_fastcgi)\n"
	    "it answers FastCGI requests on file descriptor 0.\n\n"
	    "  --config FILE    configuration file (default: $%s)\n"
	    "  --check-config   check the file, fetch the provider metadata\n"
	    "                   and keys, try the database, and exit\n"
	    "  --migrate        apply the database migrations and exit\n"
	    "  --help           this text\n"
	    "  --version        the version\n",
	    prog, prog, what, env);
}

int
cli_start(const struct cli_prog *p, int argc, char *argv[],
    enum cli_mode *mode, const char **config)
{
	switch ((*mode = cli_parse(argc, argv, p->env, config))) {
	case CLI_HELP:
		cli_usage(p->file, p->env, p->what);
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
	if (*config == NULL) {
		fprintf(stderr, "%s: no configuration: give --config FILE or "
		    "set %s\n", p->name, p->env);
		return 1;
	}
	return -1;
}
