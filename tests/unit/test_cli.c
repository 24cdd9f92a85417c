#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/prctl.h>

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


static const char *got_user;
static char	 got_user_buf[CLI_USER_MAX + 2];

/* cli_parse_args on a copy of args, stderr captured, like run(). */
static enum cli_mode
run_args(const char *const *args, bool admin)
{
	char		*argv[ARGS_MAX + 1];
	struct cli_args	 a;
	int		 argc, saved;

	for (argc = 0; argc < ARGS_MAX && args[argc] != NULL; argc++)
		if ((argv[argc] = strdup(args[argc])) == NULL)
			abort();
	argv[argc] = NULL;
	optind = 0;
	saved = capture_begin(STDERR_FILENO);
	cli_parse_args(argc, argv, ENV, admin, &a);
	capture_end(STDERR_FILENO, saved, out, OUT_MAX);
	got_null = a.config == NULL;
	snprintf(got_config, sizeof(got_config), "%s",
	    a.config != NULL ? a.config : "");
	got_user = NULL;
	if (a.user != NULL) {
		snprintf(got_user_buf, sizeof(got_user_buf), "%s", a.user);
		got_user = got_user_buf;
	}
	while (argc-- > 0)
		free(argv[argc]);
	return a.mode;
}

static void
test_admin(void)
{
	char	 u256[CLI_USER_MAX + 1], u257[CLI_USER_MAX + 2];

	unsetenv(ENV);
	is_int(run_args(ARGS("--purge"), true), CLI_PURGE, "--purge");
	ok(got_user == NULL && got_null, "--purge: no user, no config");
	is_int(run_args(ARGS("--sessions", "alice"), true), CLI_SESSIONS,
	    "--sessions USER");
	is_str(got_user, "alice", "--sessions: the user");
	is_int(run_args(ARGS("--revoke-sessions=0c1e-b0b", "-c", "/w.conf"),
	    true), CLI_REVOKE_SESSIONS, "--revoke-sessions=USER");
	is_str(got_user, "0c1e-b0b", "--revoke-sessions: the user");
	is_str(got_config, "/w.conf", "--revoke-sessions with --config");
	is_str(out, "", "admin commands: nothing on stderr");
	is_int(run_args(ARGS("--migrate"), true), CLI_MIGRATE,
	    "admin: the other modes still work");
	ok(got_user == NULL, "admin: --migrate has no user");
	is_int(run_args(NOARGS, true), CLI_SERVE, "admin: serve");
	is_int(run_args(ARGS("--sessions", "a b@example.com"), true),
	    CLI_SESSIONS, "a user with a space and @");

	/* Bounds of USER. */
	memset(u256, 'u', CLI_USER_MAX);
	u256[CLI_USER_MAX] = '\0';
	memset(u257, 'u', CLI_USER_MAX + 1);
	u257[CLI_USER_MAX + 1] = '\0';
	is_int(run_args(ARGS("--sessions", u256), true), CLI_SESSIONS,
	    "a user of CLI_USER_MAX bytes");
	ok(got_user != NULL && strlen(got_user) == CLI_USER_MAX,
	    "a user of CLI_USER_MAX bytes: kept");
	is_int(run_args(ARGS("--sessions", u257), true), CLI_ERROR,
	    "a longer user refused");
	is_str(out, "prog: --sessions: USER must be 1 to 256 bytes\n",
	    "a longer user: message");
	is_int(run_args(ARGS("--revoke-sessions", ""), true), CLI_ERROR,
	    "an empty user refused");
	is_str(out, "prog: --revoke-sessions: USER must be 1 to 256 bytes\n",
	    "an empty user: message");
	is_int(run_args(ARGS("--sessions", "a\nb"), true), CLI_ERROR,
	    "a user with a newline refused");
	is_str(out, "prog: --sessions: USER holds a control character\n",
	    "a control character: message");
	is_int(run_args(ARGS("--sessions", "a\x1b[2J"), true), CLI_ERROR,
	    "a user with an escape refused");
	is_int(run_args(ARGS("--sessions"), true), CLI_ERROR,
	    "--sessions without USER refused");
	ok(strncmp(out, "prog: ", 6) == 0, "--sessions without USER: message");
	is_int(run_args(ARGS("--revoke-sessions"), true), CLI_ERROR,
	    "--revoke-sessions without USER refused");
	is_int(run_args(ARGS("--purge=1"), true), CLI_ERROR,
	    "--purge takes no argument");
	is_int(run_args(ARGS("--purge", "alice"), true), CLI_ERROR,
	    "--purge with a stray argument");

	/* One mode at most. */
	is_int(run_args(ARGS("--purge", "--migrate"), true), CLI_ERROR,
	    "--purge with --migrate refused");
	is_str(out, "prog: --migrate and --purge exclude each other\n",
	    "--purge with --migrate: message");
	is_int(run_args(ARGS("--check-config", "--sessions", "a"), true),
	    CLI_ERROR, "--check-config with --sessions refused");
	is_str(out, "prog: --check-config and --sessions exclude each other\n",
	    "--check-config with --sessions: message");
	is_int(run_args(ARGS("--sessions", "a", "--revoke-sessions", "a"),
	    true), CLI_ERROR, "--sessions with --revoke-sessions refused");
	is_str(out, "prog: --sessions and --revoke-sessions exclude each "
	    "other\n", "--sessions with --revoke-sessions: message");
	is_int(run_args(ARGS("--revoke-sessions", "a", "--purge"), true),
	    CLI_ERROR, "--revoke-sessions with --purge refused");
	is_int(run_args(ARGS("--sessions", "a", "--sessions", "b"), true),
	    CLI_ERROR, "--sessions twice refused");
	is_str(out, "prog: --sessions given twice\n", "twice: message");
	is_int(run_args(ARGS("--migrate", "--migrate"), true), CLI_ERROR,
	    "--migrate twice refused");

	/* Not admin (the API): refused, named as the web app's. */
	is_int(run_args(ARGS("--purge"), false), CLI_ERROR,
	    "not admin: --purge refused");
	is_str(out, "prog: --purge is a command of the web app "
	    "(todo-webapp.fcgi) only\n", "not admin: --purge: message");
	is_int(run_args(ARGS("--sessions", "alice"), false), CLI_ERROR,
	    "not admin: --sessions refused");
	is_str(out, "prog: --sessions is a command of the web app "
	    "(todo-webapp.fcgi) only\n", "not admin: --sessions: message");
	is_int(run_args(ARGS("--revoke-sessions", "alice"), false),
	    CLI_ERROR, "not admin: --revoke-sessions refused");
	is_int(run(ARGS("--purge")), CLI_ERROR, "cli_parse refuses --purge");
	is_int(run(ARGS("--config", "/a", "--sessions", "x")), CLI_ERROR,
	    "cli_parse refuses --sessions");
}

static void
test_usage_admin(void)
{
	static const struct cli_prog prog = { "todo-webapp",
	    "todo-webapp.fcgi", "TODO_WEBAPP_CONFIG", "The web app." };
	int saved;

	saved = capture_begin(STDOUT_FILENO);
	cli_usage_prog(&prog, true);
	capture_end(STDOUT_FILENO, saved, out, OUT_MAX);
	ok(strncmp(out, "usage: todo-webapp.fcgi ", 24) == 0,
	    "admin usage starts with the program");
	ok(strstr(out, "--purge") != NULL &&
	    strstr(out, "--sessions USER") != NULL &&
	    strstr(out, "--revoke-sessions USER") != NULL &&
	    strstr(out, "--migrate") != NULL &&
	    strstr(out, "$TODO_WEBAPP_CONFIG") != NULL,
	    "admin usage lists the admin commands");
	saved = capture_begin(STDOUT_FILENO);
	cli_usage_prog(&prog, false);
	capture_end(STDOUT_FILENO, saved, out, OUT_MAX);
	ok(strstr(out, "--purge") == NULL && strstr(out, "--sessions") ==
	    NULL && strstr(out, "--check-config") != NULL,
	    "usage without admin lists no admin command");
	saved = capture_begin(STDOUT_FILENO);
	cli_usage("todo-api.fcgi", "TODO_API_CONFIG", "The task API.");
	capture_end(STDOUT_FILENO, saved, out, OUT_MAX);
	ok(strstr(out, "--purge") == NULL && strstr(out, "sessions") == NULL,
	    "cli_usage lists no admin command");
}

/*
 * cli_start and cli_start_args, last: they turn core dumps off for this
 * process for good.
 */
static void
test_start(void)
{
	static const struct cli_prog prog = { "todo-api", "todo-api.fcgi",
	    ENV, "The task API." };
	char		*argv[ARGS_MAX + 1];
	struct rlimit	 rl;
	struct cli_args	 a;
	enum cli_mode	 mode;
	const char	*config;
	int		 rc, saved;

	unsetenv(ENV);
	ok(getrlimit(RLIMIT_CORE, &rl) == 0, "getrlimit before");
	if (rl.rlim_max != 0 && rl.rlim_cur == 0) {
		/* Make "before" meaningful: core dumps allowed. */
		rl.rlim_cur = rl.rlim_max > 4096 ? 4096 : rl.rlim_max;
		(void)setrlimit(RLIMIT_CORE, &rl);
	}
	ok(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1,
	    "dumpable before cli_start");

	argv[0] = (char *)"todo-api.fcgi";
	argv[1] = (char *)"--config";
	argv[2] = (char *)"/x.conf";
	argv[3] = NULL;
	optind = 0;
	rc = cli_start(&prog, 3, argv, &mode, &config);
	is_int(rc, -1, "cli_start: go on");
	ok(mode == CLI_SERVE && config != NULL && strcmp(config, "/x.conf") ==
	    0, "cli_start: mode and config");
	ok(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 &&
	    rl.rlim_max == 0, "cli_start: RLIMIT_CORE is 0, soft and hard");
	is_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0,
	    "cli_start: PR_GET_DUMPABLE is 0");
	ok(cli_harden(), "cli_harden again: still fine");

	/* The API refuses the admin commands: usage error, status 2. */
	argv[1] = (char *)"--purge";
	argv[2] = NULL;
	optind = 0;
	saved = capture_begin(STDERR_FILENO);
	rc = cli_start(&prog, 2, argv, &mode, &config);
	capture_end(STDERR_FILENO, saved, out, OUT_MAX);
	is_int(rc, 2, "cli_start: --purge refused with status 2");
	is_str(out, "todo-api.fcgi: --purge is a command of the web app "
	    "(todo-webapp.fcgi) only\ntry: todo-api.fcgi --help\n",
	    "cli_start: --purge refused: message");

	/* The web app takes them. */
	argv[1] = (char *)"--sessions";
	argv[2] = (char *)"alice";
	argv[3] = (char *)"-c/w.conf";
	argv[4] = NULL;
	optind = 0;
	rc = cli_start_args(&prog, true, 4, argv, &a);
	is_int(rc, -1, "cli_start_args: go on");
	ok(a.mode == CLI_SESSIONS && a.user != NULL &&
	    strcmp(a.user, "alice") == 0 && a.config != NULL &&
	    strcmp(a.config, "/w.conf") == 0,
	    "cli_start_args: mode, user, config");
	argv[1] = (char *)"--purge";
	argv[2] = NULL;
	optind = 0;
	saved = capture_begin(STDERR_FILENO);
	rc = cli_start_args(&prog, true, 2, argv, &a);
	capture_end(STDERR_FILENO, saved, out, OUT_MAX);
	is_int(rc, 1, "cli_start_args: --purge without a config: status 1");
	ok(strstr(out, "no configuration") != NULL,
	    "cli_start_args: no configuration: message");
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
	test_admin();
	test_usage_admin();
	test_start();
	close(capture_tmpfd);
	return tap_done();
}
