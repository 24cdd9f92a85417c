#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "capture.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define ENV		"TCLI_CONFIG"
#define ARGS_MAX	8
#define OUT_MAX		4096

static char	 got_config[256];	/* *config after the last run */
static bool	 got_null;

static char	 out[OUT_MAX + 1];	/* what went to stderr or stdout */
/*
 * Run cli_parse on a copy of args (NULL-terminated, args[0] the
 * program), with a full getopt reset, stderr captured into out.
 */
static enum cli_mode
run(const char *const *args)
{
	char		*argv[ARGS_MAX + 1];
	const char	*config = NULL;
	enum cli_mode	 m;
	int		 argc, saved;

	for (argc = 0; argc < ARGS_MAX && args[argc] != NULL; argc++)
		if ((argv[argc] = strdup(args[argc])) == NULL)
			abort();
	argv[argc] = NULL;
	optind = 0;
	saved = capture_begin(STDERR_FILENO);
	m = cli_parse(argc, argv, ENV, &config);
	capture_end(STDERR_FILENO, saved, out, OUT_MAX);
	got_null = config == NULL;
	snprintf(got_config, sizeof(got_config), "%s",
	    config != NULL ? config : "");
	while (argc-- > 0)
		free(argv[argc]);
	return m;
}

#define ARGS(...)	((const char *const []){ "prog", __VA_ARGS__, NULL })
#define NOARGS		((const char *const []){ "prog", NULL })

static void
test_modes(void)
{
	static const struct {
		const char	*a[4];
		enum cli_mode	 want;
		const char	*config;	/* NULL: *config NULL */
	} cases[] = {
		{ { NULL }, CLI_SERVE, NULL },
		{ { "--config", "/a.conf" }, CLI_SERVE, "/a.conf" },
		{ { "--config=/b.conf" }, CLI_SERVE, "/b.conf" },
		{ { "-c", "/c.conf" }, CLI_SERVE, "/c.conf" },
		{ { "-c/d.conf" }, CLI_SERVE, "/d.conf" },
		{ { "--check-config" }, CLI_CHECK_CONFIG, NULL },
		{ { "--check-config", "--config", "/e.conf" },
		    CLI_CHECK_CONFIG, "/e.conf" },
		{ { "--config", "/f.conf", "--check-config" },
		    CLI_CHECK_CONFIG, "/f.conf" },
		{ { "--migrate" }, CLI_MIGRATE, NULL },
		{ { "--migrate", "-c", "/g.conf" }, CLI_MIGRATE, "/g.conf" },
		{ { "--config", "/1", "--config", "/2" }, CLI_SERVE, "/2" },
		{ { "--config", "--migrate" }, CLI_SERVE, "--migrate" },
	};
	static const struct {
		const char	*a[4];
		enum cli_mode	 want;
	} other[] = {
		{ { "--help" }, CLI_HELP },
		{ { "-h" }, CLI_HELP },
		{ { "--version" }, CLI_VERSION },
		{ { "-V" }, CLI_VERSION },
		{ { "--config", "/x", "--help" }, CLI_HELP },
		{ { "--migrate", "--version" }, CLI_VERSION },
	};
	const char	*args[ARGS_MAX + 1];
	size_t		 i, j;
	enum cli_mode	 m;

	unsetenv(ENV);
	for (i = 0; i < NELEM(cases); i++) {
		args[0] = "prog";
		for (j = 0; j < 4 && cases[i].a[j] != NULL; j++)
			args[j + 1] = cases[i].a[j];
		args[j + 1] = NULL;
		m = run(args);
		is_int(m, cases[i].want, "mode case %zu", i);
		if (cases[i].config == NULL)
			ok(got_null, "mode case %zu: no config", i);
		else
			is_str(got_config, cases[i].config,
			    "mode case %zu: config", i);
		is_str(out, "", "mode case %zu: nothing on stderr", i);
	}
	for (i = 0; i < NELEM(other); i++) {
		args[0] = "prog";
		for (j = 0; j < 4 && other[i].a[j] != NULL; j++)
			args[j + 1] = other[i].a[j];
		args[j + 1] = NULL;
		is_int(run(args), other[i].want, "help/version case %zu", i);
	}

	/* The same argv twice: optind reset works. */
	is_int(run(ARGS("--migrate")), CLI_MIGRATE, "repeat 1");
	is_int(run(ARGS("--migrate")), CLI_MIGRATE, "repeat 2");
	is_int(run(NOARGS), CLI_SERVE, "repeat: then no options");
}

static void
test_env(void)
{
	setenv(ENV, "/etc/env.conf", 1);
	is_int(run(NOARGS), CLI_SERVE, "env default");
	ok(!got_null && strcmp(got_config, "/etc/env.conf") == 0,
	    "env default: config from the environment");
	is_int(run(ARGS("--config", "/opt.conf")), CLI_SERVE,
	    "option beats env");
	is_str(got_config, "/opt.conf", "option beats env: config");
	is_int(run(ARGS("--check-config")), CLI_CHECK_CONFIG,
	    "env with --check-config");
	is_str(got_config, "/etc/env.conf", "env with --check-config: config");
	setenv(ENV, "", 1);
	run(NOARGS);
	ok(got_null, "empty env is no config");
	unsetenv(ENV);
	run(NOARGS);
	ok(got_null, "no env, no option: no config");
}

static void
test_errors(void)
{
	static const char *const bad[][4] = {
		{ "--bogus" },
		{ "-x" },
		{ "--config" },
		{ "-c" },
		{ "stray" },
		{ "--config", "/a", "stray" },
		{ "stray", "--config", "/a" },
		{ "--", "stray" },
		{ "-" },
		{ "--check-config=yes" },
		{ "--migrate=1" },
		{ "--help=x" },
		{ "--c", "x" },		/* ambiguous abbreviation */
		{ "-cfg", "x" },
	};
	const char	*args[ARGS_MAX + 1];
	size_t		 i, j;

	for (i = 0; i < NELEM(bad); i++) {
		args[0] = "prog";
		for (j = 0; j < 4 && bad[i][j] != NULL; j++)
			args[j + 1] = bad[i][j];
		args[j + 1] = NULL;
		is_int(run(args), CLI_ERROR, "bad usage case %zu", i);
		ok(strncmp(out, "prog: ", 6) == 0 && strlen(out) > 6 &&
		    out[strlen(out) - 1] == '\n',
		    "bad usage case %zu: a message line naming the program", i);
	}
	run(ARGS("--config", "/a", "stray"));
	is_str(out, "prog: unexpected argument: stray\n",
	    "stray argument named");

	/* cli.h and the usage text: "[--check-config | --migrate]". */
	is_int(run(ARGS("--check-config", "--migrate")), CLI_ERROR,
	    "--check-config with --migrate refused");
	is_str(out, "prog: --check-config and --migrate exclude each other\n",
	    "--check-config with --migrate: message");
	is_int(run(ARGS("--migrate", "--check-config")), CLI_ERROR,
	    "--migrate with --check-config refused");
	is_str(out, "prog: --check-config and --migrate exclude each other\n",
	    "--migrate with --check-config: message");
}

static void
test_usage(void)
{
	int saved;

	saved = capture_begin(STDOUT_FILENO);
	cli_usage("todo-api.fcgi", "TODO_API_CONFIG", "The task API.");
	capture_end(STDOUT_FILENO, saved, out, OUT_MAX);
	ok(strncmp(out, "usage: todo-api.fcgi ", 21) == 0,
	    "usage starts with the program");
	ok(strstr(out, "$TODO_API_CONFIG") != NULL, "usage names the env");
	ok(strstr(out, "The task API.") != NULL, "usage has the description");
	ok(strstr(out, "--check-config") != NULL &&
	    strstr(out, "--migrate") != NULL && strstr(out, "--help") != NULL &&
	    strstr(out, "--version") != NULL && strstr(out, "--config") != NULL,
	    "usage lists every option");
	ok(out[0] != '\0' && out[strlen(out) - 1] == '\n',
	    "usage ends with a newline");
}

int
main(void)
{
	if (!capture_open()) {
		ok(false, "temporary file");
		return tap_done();
	}
	test_modes();
	test_env();
	test_errors();
	test_usage();
	close(capture_tmpfd);
	return tap_done();
}
