/*
 * test_metrics: the shared counters.  Child processes open the same
 * file at once and count into it; the parent renders the totals.  The
 * text format is checked whole on a small registry; stale files are
 * replaced; a missing directory is named.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "buf.h"
#include "metrics.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define CHILDREN	8
#define ROUNDS		2000	/* updates per child */
#define DEADLINE_S	60

static char	 dir[256];

/* ---- a registry like a program's ------------------------------------ */

enum t_metric {
	T_REQUESTS,
	T_DURATION,
	T_INFLIGHT,
	T_ERRORS,
	T__MAX
};

static const char *const t_routes[] = { "/tasks", "/tasks/{id}", "unmatched" };
static const struct metrics_label t_req_labels[] = {
	{ "route", t_routes, NELEM(t_routes) },
	{ "code", metrics_status_classes, METRICS_STATUS_CLASSES },
};
static const double t_buckets[] = { 0.25, 0.5, 1, 2.5 };
static const struct metrics_def t_defs[T__MAX] = {
	[T_REQUESTS] = { "t_requests_total", "Requests answered.",
	    METRICS_COUNTER, t_req_labels, 2, NULL, 0 },
	[T_DURATION] = { "t_request_duration_seconds", "Time to answer.",
	    METRICS_HISTOGRAM, t_req_labels, 1, t_buckets, NELEM(t_buckets) },
	[T_INFLIGHT] = { "t_inflight", "Requests being answered.",
	    METRICS_GAUGE, NULL, 0, NULL, 0 },
	[T_ERRORS] = { "t_errors_total", "Errors.", METRICS_COUNTER, NULL, 0,
	    NULL, 0 },
};
static const struct metrics_spec t_spec = { "t", "tprog", "1.2.3", t_defs,
    T__MAX };

/* The same size, another registry: another route name. */
static const char *const t_routes2[] = { "/tasks", "/tasks/{id}", "other" };
static const struct metrics_label t_req_labels2[] = {
	{ "route", t_routes2, NELEM(t_routes2) },
	{ "code", metrics_status_classes, METRICS_STATUS_CLASSES },
};
static const struct metrics_def t_defs2[T__MAX] = {
	[T_REQUESTS] = { "t_requests_total", "Requests answered.",
	    METRICS_COUNTER, t_req_labels2, 2, NULL, 0 },
	[T_DURATION] = { "t_request_duration_seconds", "Time to answer.",
	    METRICS_HISTOGRAM, t_req_labels2, 1, t_buckets,
	    NELEM(t_buckets) },
	[T_INFLIGHT] = { "t_inflight", "Requests being answered.",
	    METRICS_GAUGE, NULL, 0, NULL, 0 },
	[T_ERRORS] = { "t_errors_total", "Errors.", METRICS_COUNTER, NULL, 0,
	    NULL, 0 },
};
static const struct metrics_spec t_spec2 = { "t", "tprog", "1.2.3",
    t_defs2, T__MAX };

/* ---- helpers ----------------------------------------------------------- */

static bool
has_line(const char *text, const char *line)
{
	size_t	 n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

static char *
render(struct metrics *m)
{
	struct buf b;

	buf_init(&b, 0);
	if (metrics_render(m, &b) != ERR_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static void
path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* The number of directory entries other than . and .. */
static int
entries(void)
{
	struct dirent *d;
	DIR	*dp;
	int	 n = 0;

	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_errors(void)
{
	static const struct metrics_def bad_name[] = {
		{ "9bad", "h", METRICS_COUNTER, NULL, 0, NULL, 0 } };
	static const struct metrics_label le[] = {
		{ "le", t_routes, NELEM(t_routes) } };
	static const struct metrics_def bad_le[] = {
		{ "h", "h", METRICS_HISTOGRAM, le, 1, t_buckets, 1 } };
	static const double down[] = { 1, 0.5 };
	static const struct metrics_def bad_buckets[] = {
		{ "h", "h", METRICS_HISTOGRAM, NULL, 0, down, 2 } };
	static const struct metrics_def no_buckets[] = {
		{ "h", "h", METRICS_HISTOGRAM, NULL, 0, NULL, 0 } };
	static const struct metrics_def counter_buckets[] = {
		{ "c", "h", METRICS_COUNTER, NULL, 0, t_buckets, 1 } };
	static const char *const many[200] = { "x" };
	static const struct metrics_label big[] = {
		{ "a", many, NELEM(many) }, { "b", many, NELEM(many) } };
	static const struct metrics_def too_many[] = {
		{ "c", "h", METRICS_COUNTER, big, 2, NULL, 0 } };
	static const struct metrics_label dunder[] = {
		{ "__x", t_routes, NELEM(t_routes) } };
	static const struct metrics_def bad_label[] = {
		{ "c", "h", METRICS_COUNTER, dunder, 1, NULL, 0 } };
	static const struct {
		const struct metrics_def *defs;
		const char		 *what;
	} cases[] = {
		{ bad_name, "a name starting with a digit" },
		{ bad_le, "a histogram label named le" },
		{ bad_buckets, "buckets not ascending" },
		{ no_buckets, "a histogram without buckets" },
		{ counter_buckets, "buckets on a counter" },
		{ too_many, "more than METRICS_SERIES_MAX series" },
		{ bad_label, "a label name starting with __" },
	};
	struct metrics_spec sp;
	struct metrics *m;
	char	 err[METRICS_ERR_MAX], p[512];
	size_t	 i;
	enum err e;
	int	 fd;

	e = metrics_open("/nonexistent/todo-b2c-metrics", &t_spec, &m, err,
	    sizeof(err));
	is_int(e, ERR_SYSTEM, "a missing directory: ERR_SYSTEM");
	ok(m == NULL, "a missing directory: no handle");
	is_str(err, "metrics_dir /nonexistent/todo-b2c-metrics: No such file "
	    "or directory", "a missing directory: named, with the reason");

	path_of(p, sizeof(p), "plain-file");
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1)
		close(fd);
	e = metrics_open(p, &t_spec, &m, err, sizeof(err));
	is_int(e, ERR_SYSTEM, "a file as the directory: ERR_SYSTEM");
	ok(strstr(err, "not a directory") != NULL && strstr(err, p) != NULL,
	    "a file as the directory: message");
	unlink(p);

	e = metrics_open("", &t_spec, &m, err, sizeof(err));
	is_int(e, ERR_INPUT, "an empty directory name: ERR_INPUT");
	ok(strstr(err, "metrics_dir") != NULL, "empty: message");

	for (i = 0; i < NELEM(cases); i++) {
		sp = t_spec;
		sp.defs = cases[i].defs;
		sp.ndefs = 1;
		e = metrics_open(dir, &sp, &m, err, sizeof(err));
		if (!ok(e == ERR_INPUT && m == NULL && err[0] != '\0',
		    "refused: %s", cases[i].what))
			tap_diag("%s: %s", err_str(e), err);
	}
	sp = t_spec;
	sp.program = "../escape";
	is_int(metrics_open(dir, &sp, &m, err, sizeof(err)), ERR_INPUT,
	    "refused: a program name with a slash");
	sp = t_spec;
	sp.ns = "bad-ns";
	is_int(metrics_open(dir, &sp, &m, err, sizeof(err)), ERR_INPUT,
	    "refused: a namespace with a dash");
	is_int(entries(), 0, "refusals create no file");

	/* A NULL handle: updates ignored, render refused. */
	metrics_inc(NULL, T_ERRORS, NULL);
	metrics_observe(NULL, T_DURATION, (const unsigned[]){ 0 }, 1);
	metrics_set(NULL, T_INFLIGHT, NULL, 1);
	metrics_close(NULL);
	{
		struct buf b;

		buf_init(&b, 0);
		is_int(metrics_render(NULL, &b), ERR_INPUT,
		    "render of NULL: ERR_INPUT");
		buf_free(&b);
	}
}

static const char t_want[] =
"# HELP t_requests_total Requests answered.\n"
"# TYPE t_requests_total counter\n"
"t_requests_total{route=\"/tasks\",code=\"1xx\"} 0\n"
"t_requests_total{route=\"/tasks\",code=\"2xx\"} 3\n"
"t_requests_total{route=\"/tasks\",code=\"3xx\"} 0\n"
"t_requests_total{route=\"/tasks\",code=\"4xx\"} 0\n"
"t_requests_total{route=\"/tasks\",code=\"5xx\"} 0\n"
"t_requests_total{route=\"/tasks/{id}\",code=\"1xx\"} 0\n"
"t_requests_total{route=\"/tasks/{id}\",code=\"2xx\"} 0\n"
"t_requests_total{route=\"/tasks/{id}\",code=\"3xx\"} 0\n"
"t_requests_total{route=\"/tasks/{id}\",code=\"4xx\"} 1\n"
"t_requests_total{route=\"/tasks/{id}\",code=\"5xx\"} 0\n"
"t_requests_total{route=\"unmatched\",code=\"1xx\"} 0\n"
"t_requests_total{route=\"unmatched\",code=\"2xx\"} 0\n"
"t_requests_total{route=\"unmatched\",code=\"3xx\"} 0\n"
"t_requests_total{route=\"unmatched\",code=\"4xx\"} 0\n"
"t_requests_total{route=\"unmatched\",code=\"5xx\"} 5\n"
"# HELP t_request_duration_seconds Time to answer.\n"
"# TYPE t_request_duration_seconds histogram\n"
"t_request_duration_seconds_bucket{route=\"/tasks\",le=\"0.25\"} 1\n"
"t_request_duration_seconds_bucket{route=\"/tasks\",le=\"0.5\"} 2\n"
"t_request_duration_seconds_bucket{route=\"/tasks\",le=\"1\"} 2\n"
"t_request_duration_seconds_bucket{route=\"/tasks\",le=\"2.5\"} 3\n"
"t_request_duration_seconds_bucket{route=\"/tasks\",le=\"+Inf\"} 4\n"
"t_request_duration_seconds_sum{route=\"/tasks\"} 13.35\n"
"t_request_duration_seconds_count{route=\"/tasks\"} 4\n"
"t_request_duration_seconds_bucket{route=\"/tasks/{id}\",le=\"0.25\"} 0\n"
"t_request_duration_seconds_bucket{route=\"/tasks/{id}\",le=\"0.5\"} 0\n"
"t_request_duration_seconds_bucket{route=\"/tasks/{id}\",le=\"1\"} 0\n"
"t_request_duration_seconds_bucket{route=\"/tasks/{id}\",le=\"2.5\"} 0\n"
"t_request_duration_seconds_bucket{route=\"/tasks/{id}\",le=\"+Inf\"} 0\n"
"t_request_duration_seconds_sum{route=\"/tasks/{id}\"} 0\n"
"t_request_duration_seconds_count{route=\"/tasks/{id}\"} 0\n"
"t_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.25\"} 0\n"
"t_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.5\"} 0\n"
"t_request_duration_seconds_bucket{route=\"unmatched\",le=\"1\"} 0\n"
"t_request_duration_seconds_bucket{route=\"unmatched\",le=\"2.5\"} 1\n"
"t_request_duration_seconds_bucket{route=\"unmatched\",le=\"+Inf\"} 1\n"
"t_request_duration_seconds_sum{route=\"unmatched\"} 2.5\n"
"t_request_duration_seconds_count{route=\"unmatched\"} 1\n"
"# HELP t_inflight Requests being answered.\n"
"# TYPE t_inflight gauge\n"
"t_inflight -1.5\n"
"# HELP t_errors_total Errors.\n"
"# TYPE t_errors_total counter\n"
"t_errors_total 7\n"
"# HELP t_start_time_seconds ";

static void
test_format(void)
{
	static const char *const odd[] = { "a\"b", "c\\d", "e\nf" };
	static const struct metrics_label odd_l[] = {
		{ "v", odd, NELEM(odd) } };
	static const double fine[] = { 1e-9, 0.005, 0.1, 1e10 };
	static const struct metrics_def odd_defs[] = {
		{ "o_total", "Help with \\ and\nnewline.", METRICS_COUNTER,
		    odd_l, 1, NULL, 0 },
		{ "o_h", "H.", METRICS_HISTOGRAM, NULL, 0, fine, NELEM(fine) },
	};
	static const struct metrics_spec odd_spec = { "o", "oprog",
	    "v\"1\\\n", odd_defs, NELEM(odd_defs) };
	struct metrics *m = NULL;
	char	 err[METRICS_ERR_MAX], line[128];
	char	*s;
	struct buf b;
	enum err e;

	e = metrics_open(dir, &t_spec, &m, err, sizeof(err));
	if (!ok(e == ERR_OK && m != NULL, "open"))
		tap_diag("%s", err);
	if (m == NULL)
		return;
	metrics_add(m, T_REQUESTS, (const unsigned[]){ 0, 1 }, 3);
	metrics_inc(m, T_REQUESTS, (const unsigned[]){ 1,
	    metrics_status_class(404) });
	metrics_add(m, T_REQUESTS, (const unsigned[]){ 2,
	    metrics_status_class(503) }, 5);
	metrics_observe(m, T_DURATION, (const unsigned[]){ 0 }, 0.25);
	metrics_observe(m, T_DURATION, (const unsigned[]){ 0 }, 0.35);
	metrics_observe(m, T_DURATION, (const unsigned[]){ 0 }, 2.5);
	metrics_observe(m, T_DURATION, (const unsigned[]){ 0 }, 10.25);
	metrics_observe(m, T_DURATION, (const unsigned[]){ 2 }, 2.5);
	metrics_set(m, T_INFLIGHT, NULL, 2);
	metrics_gauge_add(m, T_INFLIGHT, NULL, -3.5);
	metrics_add(m, T_ERRORS, NULL, 7);
	/* Ignored: out of range, wrong type, missing labels, NaN. */
	metrics_inc(m, T_REQUESTS, (const unsigned[]){ 3, 0 });
	metrics_inc(m, T_REQUESTS, (const unsigned[]){ 0, 5 });
	metrics_inc(m, T_REQUESTS, NULL);
	metrics_inc(m, T__MAX, NULL);
	metrics_inc(m, 1000, NULL);
	metrics_inc(m, T_DURATION, (const unsigned[]){ 0 });
	metrics_set(m, T_ERRORS, NULL, 99);
	metrics_observe(m, T_REQUESTS, (const unsigned[]){ 0, 0 }, 1);
	metrics_observe(m, T_DURATION, (const unsigned[]){ 0 }, NAN);

	s = render(m);
	ok(s != NULL && strncmp(s, t_want, sizeof(t_want) - 1) == 0,
	    "the text format, whole");
	if (s != NULL && strncmp(s, t_want, sizeof(t_want) - 1) != 0)
		tap_diag("got:\n%s", s);
	ok(s != NULL && strstr(s, "# TYPE t_start_time_seconds gauge\n") !=
	    NULL && strstr(s, "\nt_start_time_seconds 1") != NULL,
	    "built-in: start time (unix seconds)");
	ok(s != NULL && strstr(s, "# TYPE t_process_start_time_seconds "
	    "gauge\n") != NULL && strstr(s, "\nt_process_start_time_seconds "
	    "1") != NULL, "built-in: the latest process start");
	ok(s != NULL && has_line(s, "# TYPE t_process_starts_total counter") &&
	    has_line(s, "t_process_starts_total 1"),
	    "built-in: process starts");
	ok(s != NULL && has_line(s, "# TYPE t_build_info gauge") &&
	    has_line(s, "t_build_info{version=\"1.2.3\"} 1"),
	    "built-in: build info");
	ok(s != NULL && s[strlen(s) - 1] == '\n', "ends with a newline");
	free(s);

	buf_init(&b, 100);
	is_int(metrics_render(m, &b), ERR_NOMEM, "render past the cap: "
	    "ERR_NOMEM");
	buf_free(&b);
	metrics_close(m);

	/* Escapes, and numbers. */
	m = NULL;
	e = metrics_open(dir, &odd_spec, &m, err, sizeof(err));
	ok(e == ERR_OK, "open a second program in the same directory");
	if (m == NULL)
		return;
	metrics_inc(m, 0, (const unsigned[]){ 2 });
	metrics_observe(m, 1, NULL, 0.1);
	metrics_observe(m, 1, NULL, 0.2);
	s = render(m);
	ok(s != NULL && has_line(s, "# HELP o_total Help with \\\\ and\\n"
	    "newline."), "HELP: backslash and newline escaped");
	ok(s != NULL && has_line(s, "o_total{v=\"a\\\"b\"} 0") &&
	    has_line(s, "o_total{v=\"c\\\\d\"} 0") &&
	    has_line(s, "o_total{v=\"e\\nf\"} 1"),
	    "label values: quote, backslash, newline escaped");
	ok(s != NULL && has_line(s, "o_h_bucket{le=\"0.005\"} 0") &&
	    has_line(s, "o_h_bucket{le=\"0.1\"} 1") &&
	    has_line(s, "o_h_bucket{le=\"1e-09\"} 0") &&
	    has_line(s, "o_h_bucket{le=\"10000000000\"} 2") &&
	    has_line(s, "o_h_bucket{le=\"+Inf\"} 2") &&
	    has_line(s, "o_h_count 2"),
	    "le values: shortest form; a histogram without labels");
	snprintf(line, sizeof(line), "o_h_sum %.17g", 0.1 + 0.2);
	ok(s != NULL && has_line(s, line), "a sum that needs 17 digits");
	ok(s != NULL && has_line(s, "o_build_info{version=\"v\\\"1\\\\\\n\"} "
	    "1"), "build info: the version escaped");
	free(s);
	metrics_close(m);
	is_int(metrics_status_class(100), 0, "status class 100");
	is_int(metrics_status_class(204), 1, "status class 204");
	is_int(metrics_status_class(599), 4, "status class 599");
	is_int(metrics_status_class(0), 4, "status class 0: 5xx");
	is_int(metrics_status_class(600), 4, "status class 600: 5xx");
}

static void
test_processes(void)
{
	char	 err[METRICS_ERR_MAX], want[256], p[512];
	struct metrics *m = NULL;
	struct stat st;
	pid_t	 pids[CHILDREN];
	char	*s;
	int	 go[2], i, status, good = 0;
	char	 c;

	path_of(p, sizeof(p), "tprog.metrics");
	unlink(p);	/* test_format's counts */
	if (pipe(go) == -1) {
		ok(false, "pipe");
		return;
	}
	/* Each child opens the file itself, all at once: a creation race. */
	for (i = 0; i < CHILDREN; i++) {
		if ((pids[i] = fork()) == -1) {
			ok(false, "fork");
			return;
		}
		if (pids[i] == 0) {
			struct metrics *cm = NULL;
			int	 r;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(10);
			if (metrics_open(dir, &t_spec, &cm, err,
			    sizeof(err)) != ERR_OK)
				_exit(11);
			for (r = 0; r < ROUNDS; r++) {
				metrics_inc(cm, T_REQUESTS, (const unsigned[])
				    { (unsigned)(r % 3), 1 });
				metrics_observe(cm, T_DURATION,
				    (const unsigned[]){ 1 }, r % 2 ? 0.5 : 2);
				metrics_gauge_add(cm, T_INFLIGHT, NULL, 1);
				metrics_gauge_add(cm, T_INFLIGHT, NULL, -1);
				metrics_add(cm, T_ERRORS, NULL, 2);
			}
			metrics_close(cm);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);	/* go */
	for (i = 0; i < CHILDREN; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			good++;
	is_int(good, CHILDREN, "%d children opened and counted", CHILDREN);
	is_int(entries(), 2, "one file per program, no temporary left");

	if (metrics_open(dir, &t_spec, &m, err, sizeof(err)) != ERR_OK) {
		ok(false, "parent open: %s", err);
		return;
	}
	s = render(m);
	ok(s != NULL, "rendered");
	if (s == NULL)
		goto out;
	/* ROUNDS % 3 == 2: routes 0 and 1 get one more than route 2. */
	snprintf(want, sizeof(want), "t_requests_total{route=\"/tasks\","
	    "code=\"2xx\"} %d", CHILDREN * (ROUNDS / 3 + 1));
	ok(has_line(s, want), "counter total, route 0: %s", want);
	snprintf(want, sizeof(want), "t_requests_total{route=\"/tasks/{id}\","
	    "code=\"2xx\"} %d", CHILDREN * (ROUNDS / 3 + 1));
	ok(has_line(s, want), "counter total, route 1");
	snprintf(want, sizeof(want), "t_requests_total{route=\"unmatched\","
	    "code=\"2xx\"} %d", CHILDREN * (ROUNDS / 3));
	ok(has_line(s, want), "counter total, route 2");
	snprintf(want, sizeof(want), "t_errors_total %d", CHILDREN * ROUNDS *
	    2);
	ok(has_line(s, want), "counter without labels: %s", want);
	snprintf(want, sizeof(want), "t_request_duration_seconds_bucket{route="
	    "\"/tasks/{id}\",le=\"0.5\"} %d", CHILDREN * ROUNDS / 2);
	ok(has_line(s, want), "histogram bucket 0.5");
	snprintf(want, sizeof(want), "t_request_duration_seconds_bucket{route="
	    "\"/tasks/{id}\",le=\"2.5\"} %d", CHILDREN * ROUNDS);
	ok(has_line(s, want), "histogram bucket 2.5 (cumulative)");
	snprintf(want, sizeof(want), "t_request_duration_seconds_count{route="
	    "\"/tasks/{id}\"} %d", CHILDREN * ROUNDS);
	ok(has_line(s, want), "histogram count");
	snprintf(want, sizeof(want), "t_request_duration_seconds_sum{route="
	    "\"/tasks/{id}\"} %d", CHILDREN * ROUNDS / 2 * 2 +
	    CHILDREN * ROUNDS / 4);
	ok(has_line(s, want), "histogram sum exact: %s", want);
	ok(has_line(s, "t_inflight 0"), "gauge up and down: 0");
	snprintf(want, sizeof(want), "t_process_starts_total %d",
	    CHILDREN + 1);
	ok(has_line(s, want), "process starts: the children and the parent");
	free(s);
	path_of(p, sizeof(p), "tprog.metrics");
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	    S_ISREG(st.st_mode), "the file is 0600");

	/* A process forked after the open shares the mapping. */
	if ((pids[0] = fork()) == 0) {
		metrics_add(m, T_ERRORS, NULL, 1000);
		_exit(0);
	}
	waitpid(pids[0], &status, 0);
	s = render(m);
	snprintf(want, sizeof(want), "t_errors_total %d", CHILDREN * ROUNDS *
	    2 + 1000);
	ok(s != NULL && has_line(s, want), "a forked child counts into the "
	    "parent's mapping");
	free(s);
out:
	metrics_close(m);
}

static void
test_stale(void)
{
	char	 err[METRICS_ERR_MAX], p[512];
	struct metrics *m = NULL, *old = NULL;
	struct stat st1, st2;
	char	*s;
	int	 fd;

	path_of(p, sizeof(p), "tprog.metrics");
	/* A file of another size: garbage. */
	unlink(p);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
		if (write(fd, "garbage", 7) != 7)
			tap_diag("write");
		close(fd);
	}
	ok(metrics_open(dir, &t_spec, &m, err, sizeof(err)) == ERR_OK,
	    "a short garbage file: replaced");
	s = render(m);
	ok(s != NULL && has_line(s, "t_errors_total 0") &&
	    has_line(s, "t_process_starts_total 1"),
	    "a short garbage file: counting from zero");
	free(s);
	metrics_add(m, T_ERRORS, NULL, 5);
	ok(stat(p, &st1) == 0, "stat");

	/* The same size, another registry: replaced, the old one kept. */
	old = m;
	m = NULL;
	ok(metrics_open(dir, &t_spec2, &m, err, sizeof(err)) == ERR_OK,
	    "another registry of the same size: opened");
	ok(stat(p, &st2) == 0 && st2.st_ino != st1.st_ino &&
	    st2.st_size == st1.st_size, "another registry: a new file");
	s = render(m);
	ok(s != NULL && has_line(s, "t_errors_total 0") &&
	    strstr(s, "route=\"other\"") != NULL,
	    "another registry: its own counters from zero");
	free(s);
	metrics_add(old, T_ERRORS, NULL, 1);	/* the old file: unseen */
	s = render(m);
	ok(s != NULL && has_line(s, "t_errors_total 0"),
	    "a process on the old file does not touch the new one");
	free(s);
	metrics_close(old);
	metrics_close(m);

	/* The same size and registry but a broken magic. */
	if ((fd = open(p, O_WRONLY)) != -1) {
		if (pwrite(fd, "XXXX", 4, 0) != 4)
			tap_diag("pwrite");
		close(fd);
	}
	m = NULL;
	ok(metrics_open(dir, &t_spec2, &m, err, sizeof(err)) == ERR_OK,
	    "a broken magic: replaced");
	s = render(m);
	ok(s != NULL && strncmp(s, "# HELP", 6) == 0 &&
	    has_line(s, "t_process_starts_total 1"), "a broken magic: new");
	free(s);
	metrics_close(m);

	/* A directory where the file should be: a clear error. */
	unlink(p);
	mkdir(p, 0700);
	m = NULL;
	is_int(metrics_open(dir, &t_spec, &m, err, sizeof(err)), ERR_SYSTEM,
	    "a directory in the file's place: ERR_SYSTEM");
	ok(strstr(err, "tprog.metrics") != NULL, "... naming the file: %s",
	    err);
	rmdir(p);
	/* A symbolic link is not followed. */
	if (symlink("/dev/null", p) == 0) {
		is_int(metrics_open(dir, &t_spec, &m, err, sizeof(err)),
		    ERR_SYSTEM, "a symbolic link in the file's place: refused");
		unlink(p);
	}
	is_int(entries(), 1, "no temporary left (oprog.metrics remains)");
}

static void
cleanup(void)
{
	char	 p[512];

	path_of(p, sizeof(p), "tprog.metrics");
	unlink(p);
	path_of(p, sizeof(p), "oprog.metrics");
	unlink(p);
	rmdir(dir);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	alarm(DEADLINE_S);
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/test_metrics.XXXXXX", tmp);
	if (!ok(mkdtemp(dir) != NULL, "a directory"))
		return tap_done();
	test_errors();
	test_format();
	test_processes();
	test_stale();
	cleanup();
	return tap_done();
}
