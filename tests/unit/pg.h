/*
 * pg.h: a throwaway PostgreSQL cluster for the unit tests, header-only
 * like tap.h: initdb into a scratch directory, a server on a Unix socket
 * there only, stopped and removed at the end.  As root the commands run
 * as the "postgres" user (initdb refuses root).  No PostgreSQL is a
 * failure of the test, never a skip.
 */
#ifndef TODO_PG_H
#define TODO_PG_H

#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PG_ARGS_MAX 16

struct pg {
	char	 bindir[256];
	char	 dir[256];
	char	 conninfo[512];
	bool	 running;
};

/* Run bindir/prog args... (as postgres when root), output to DIR/log. */
static inline bool
pg_run(const struct pg *p, const char *prog, const char *const *args)
{
	const char *argv[PG_ARGS_MAX + 5];
	char	 path[512], log[512];
	size_t	 i, n = 0;
	pid_t	 pid;
	int	 status, fd;

	snprintf(path, sizeof(path), "%s/%s", p->bindir, prog);
	snprintf(log, sizeof(log), "%s/log", p->dir);
	if (geteuid() == 0) {
		argv[n++] = "runuser";
		argv[n++] = "-u";
		argv[n++] = "postgres";
		argv[n++] = "--";
	}
	argv[n++] = path;
	for (i = 0; args[i] != NULL && i < PG_ARGS_MAX; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fflush(stdout);
	if ((pid = fork()) == -1)
		return false;
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) !=
		    -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
}

/* pg_ctl start / stop / restart ("immediate" stops, fast restarts). */
static inline bool
pg_ctl(struct pg *p, const char *what)
{
	char	 data[300], opts[600], log[300];
	bool	 stop = strcmp(what, "stop") == 0;
	const char *args[] = { "-D", data, "-l", log, "-w", "-t", "30",
	    "-m", stop ? "immediate" : "fast", "-o", opts, what, NULL };

	snprintf(data, sizeof(data), "%s/data", p->dir);
	snprintf(log, sizeof(log), "%s/server.log", p->dir);
	snprintf(opts, sizeof(opts), "-c listen_addresses='' "
	    "-c unix_socket_directories=%s -c fsync=off", p->dir);
	if (!pg_run(p, "pg_ctl", args))
		return false;
	p->running = !stop;
	return true;
}

/* initdb and start; false (and the reason on stdout) on failure. */
static inline bool
pg_start(struct pg *p)
{
	const char *tmp = getenv("TMPDIR");
	char	 data[300];
	const char *initdb[] = { "-D", data, "-A", "trust", "-E", "UTF8",
	    "--no-sync", NULL };
	struct passwd *pw;
	glob_t	 g;

	memset(p, 0, sizeof(p[0]));
	if (glob("/usr/lib/postgresql/*/bin/pg_ctl", 0, NULL, &g) != 0 ||
	    g.gl_pathc == 0) {
		printf("# no PostgreSQL server under /usr/lib/postgresql\n");
		return false;
	}
	snprintf(p->bindir, sizeof(p->bindir), "%s",
	    g.gl_pathv[g.gl_pathc - 1]);
	globfree(&g);
	*strrchr(p->bindir, '/') = '\0';
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(p->dir, sizeof(p->dir), "%s/pg.XXXXXX", tmp);
	if (mkdtemp(p->dir) == NULL || chmod(p->dir, 0755) == -1)
		return false;
	if (geteuid() == 0 && ((pw = getpwnam("postgres")) == NULL ||
	    chown(p->dir, pw->pw_uid, pw->pw_gid) == -1)) {
		printf("# no postgres user to run the server as\n");
		return false;
	}
	snprintf(data, sizeof(data), "%s/data", p->dir);
	snprintf(p->conninfo, sizeof(p->conninfo),
	    "host=%s dbname=postgres user=postgres", p->dir);
	if (!pg_run(p, "initdb", initdb) || !pg_ctl(p, "start")) {
		printf("# PostgreSQL did not start: see %s/log\n", p->dir);
		return false;
	}
	return true;
}

/* Stop the server and remove the scratch directory. */
static inline void
pg_stop(struct pg *p)
{
	char	 cmd[300];

	if (p->running)
		pg_ctl(p, "stop");
	if (p->dir[0] == '/' && snprintf(cmd, sizeof(cmd), "rm -rf '%s'",
	    p->dir) < (int)sizeof(cmd))
		(void)!system(cmd);
}

#endif
