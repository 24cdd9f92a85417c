#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fnv.h"
#include "metrics.h"

#define METRICS_MAGIC "todo-met"	/* 8 bytes, no NUL */
#define METRICS_OPEN_TRIES 8	/* replaced under us this often: give up */
#define METRICS_NUM_SIZE 40	/* a formatted number */
#define METRICS_FILE_MODE 0600

/* Cross-process atomics must not fall back to a process-local lock. */
_Static_assert(sizeof(uint64_t) == sizeof(unsigned long) ?
    ATOMIC_LONG_LOCK_FREE == 2 : ATOMIC_LLONG_LOCK_FREE == 2,
    "64-bit atomics must be lock-free");
_Static_assert(sizeof(double) == sizeof(uint64_t), "a double in a word");

/* The head of the file; the value words follow it. */
struct metrics_hdr {
	char		 magic[8];
	uint32_t	 version;	/* METRICS_LAYOUT_VERSION */
	uint32_t	 hdr_size;	/* sizeof(struct metrics_hdr) */
	uint64_t	 size;		/* of the whole file */
	uint64_t	 hash;		/* of the registry's layout */
	_Atomic uint64_t created;	/* unix time */
	_Atomic uint64_t last_start;	/* unix time, the latest open */
	_Atomic uint64_t starts;	/* opens */
	uint64_t	 reserved[1];
};

struct metrics {
	const struct metrics_spec *spec;
	struct metrics_hdr *hdr;
	_Atomic uint64_t *words;
	size_t		 size;		/* mapped bytes */
	size_t		 first[METRICS_DEFS_MAX];	/* each's word */
	size_t		 series[METRICS_DEFS_MAX];	/* label sets */
	uint64_t	 hash;
};

const char *const metrics_status_classes[METRICS_STATUS_CLASSES] = {
	"1xx", "2xx", "3xx", "4xx", "5xx"
};

unsigned
metrics_status_class(int status)
{
	if (status >= 100 && status <= 599)
		return (unsigned)(status / 100 - 1);
	return METRICS_STATUS_CLASSES - 1;
}

static void __attribute__((format(printf, 3, 4)))
metrics_msg(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(err, len, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

/* ---- the registry -------------------------------------------------------- */

static bool
metrics_name_ok(const char *s, bool colon)
{
	size_t	 i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > METRICS_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (colon && c == ':') ||
		    (i > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

/* Words of one label-value set. */
static size_t
metrics_words(const struct metrics_def *d)
{
	/* A histogram: its buckets, +Inf, the sum; the count is derived. */
	return d->type == METRICS_HISTOGRAM ? d->nbuckets + 2 : 1;
}

static uint64_t
metrics_fnv_str(uint64_t h, const char *s)
{
	return fnv1a64(h, s, strlen(s) + 1);
}

/* Check the spec and lay it out: m->first, m->series, m->hash, words. */
static enum err
metrics_layout(struct metrics *m, size_t *nwords, char *err, size_t len)
{
	const struct metrics_spec *sp = m->spec;
	const struct metrics_def *d;
	uint64_t h = FNV1A64_INIT, u;
	size_t	 i, j, k, n, words = 0;

	if (sp->ns == NULL || !metrics_name_ok(sp->ns, false) ||
	    sp->program == NULL || sp->program[0] == '\0' ||
	    sp->program[0] == '.' || strchr(sp->program, '/') != NULL ||
	    sp->version == NULL || sp->ndefs > METRICS_DEFS_MAX ||
	    (sp->defs == NULL && sp->ndefs > 0)) {
		metrics_msg(err, len, "metrics: bad namespace, program, "
		    "version or number of metrics");
		return ERR_INPUT;
	}
	u = METRICS_LAYOUT_VERSION;
	h = fnv1a64(h, &u, sizeof(u));
	for (i = 0; i < sp->ndefs; i++) {
		d = &sp->defs[i];
		if (!metrics_name_ok(d->name, true) || d->help == NULL ||
		    (unsigned)d->type >= METRICS_TYPE__MAX ||
		    d->nlabels > METRICS_LABELS_MAX ||
		    (d->labels == NULL && d->nlabels > 0)) {
			metrics_msg(err, len, "metrics: metric %zu (%s): bad "
			    "name, help, type or labels", i,
			    d->name != NULL ? d->name : "(null)");
			return ERR_INPUT;
		}
		h = metrics_fnv_str(h, d->name);
		u = (uint64_t)d->type;
		h = fnv1a64(h, &u, sizeof(u));
		for (n = 1, j = 0; j < d->nlabels; j++) {
			const struct metrics_label *l = &d->labels[j];

			if (!metrics_name_ok(l->name, false) ||
			    strncmp(l->name, "__", 2) == 0 ||
			    (d->type == METRICS_HISTOGRAM &&
			    strcmp(l->name, "le") == 0) ||
			    l->values == NULL || l->nvalues == 0 ||
			    l->nvalues > METRICS_SERIES_MAX / n) {
				metrics_msg(err, len, "metrics: %s: bad label "
				    "%zu, or more than %d series", d->name, j,
				    METRICS_SERIES_MAX);
				return ERR_INPUT;
			}
			n *= l->nvalues;
			h = metrics_fnv_str(h, l->name);
			for (k = 0; k < l->nvalues; k++) {
				if (l->values[k] == NULL) {
					metrics_msg(err, len, "metrics: %s: "
					    "label %s: a NULL value", d->name,
					    l->name);
					return ERR_INPUT;
				}
				h = metrics_fnv_str(h, l->values[k]);
			}
		}
		if (d->type == METRICS_HISTOGRAM) {
			if (d->nbuckets == 0 || d->nbuckets >
			    METRICS_BUCKETS_MAX || d->buckets == NULL) {
				metrics_msg(err, len, "metrics: %s: 1 to %d "
				    "buckets", d->name, METRICS_BUCKETS_MAX);
				return ERR_INPUT;
			}
			for (k = 0; k < d->nbuckets; k++)
				if (!isfinite(d->buckets[k]) || (k > 0 &&
				    d->buckets[k] <= d->buckets[k - 1])) {
					metrics_msg(err, len, "metrics: %s: "
					    "buckets must be finite and "
					    "ascending", d->name);
					return ERR_INPUT;
				}
			h = fnv1a64(h, d->buckets, d->nbuckets *
			    sizeof(d->buckets[0]));
		} else if (d->nbuckets != 0) {
			metrics_msg(err, len, "metrics: %s: buckets on a "
			    "metric that is not a histogram", d->name);
			return ERR_INPUT;
		}
		m->first[i] = words;
		m->series[i] = n;
		words += n * metrics_words(d);
	}
	m->hash = h;
	*nwords = words;
	return ERR_OK;
}

/* ---- the file ------------------------------------------------------------ */

static bool
metrics_hdr_ok(const struct metrics *m, const struct metrics_hdr *h,
    size_t size)
{
	return memcmp(h->magic, METRICS_MAGIC, sizeof(h->magic)) == 0 &&
	    h->version == METRICS_LAYOUT_VERSION &&
	    h->hdr_size == sizeof(*h) && h->size == size && h->hash == m->hash;
}

/*
 * Write a complete new file under a temporary name in dir, then put it
 * at path: link() when there is none (EEXIST: another process won, its
 * file is used), rename() over a stale one ("replace").
 */
static enum err
metrics_create(const struct metrics *m, const char *dir, const char *path,
    bool replace, char *err, size_t len)
{
	char	 tmp[METRICS_PATH_MAX];
	struct metrics_hdr *h = MAP_FAILED;
	uint64_t now = (uint64_t)time(NULL);
	enum err e = ERR_SYSTEM;
	int	 fd = -1, n, tries;

	n = snprintf(tmp, sizeof(tmp), "%s/.%s.metrics.%ld", dir,
	    m->spec->program, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		metrics_msg(err, len, "metrics_dir %s: path too long", dir);
		return ERR_SYSTEM;
	}
	for (tries = 0; tries < 2 && fd == -1; tries++) {
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, METRICS_FILE_MODE);
		if (fd == -1 && errno == EEXIST)
			(void)unlink(tmp);	/* left by a dead process */
		else if (fd == -1)
			break;
	}
	if (fd == -1) {
		metrics_msg(err, len, "metrics_dir %s: cannot create %s: %s",
		    dir, tmp, strerror(errno));
		return ERR_SYSTEM;
	}
	if (ftruncate(fd, (off_t)m->size) == -1 ||
	    (h = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0)) == MAP_FAILED) {
		metrics_msg(err, len, "metrics: %s: %s", tmp, strerror(errno));
		goto out;
	}
	/* ftruncate zeroed the values: only the header is written. */
	memcpy(h->magic, METRICS_MAGIC, sizeof(h->magic));
	h->version = METRICS_LAYOUT_VERSION;
	h->hdr_size = sizeof(*h);
	h->size = m->size;
	h->hash = m->hash;
	atomic_store(&h->created, now);
	if (replace ? rename(tmp, path) == -1 :
	    (link(tmp, path) == -1 && errno != EEXIST)) {
		metrics_msg(err, len, "metrics: cannot put %s in place: %s",
		    path, strerror(errno));
		goto out;
	}
	e = ERR_OK;
out:
	if (h != MAP_FAILED)
		munmap(h, m->size);
	if (e != ERR_OK || !replace)
		(void)unlink(tmp);
	close(fd);
	return e;
}

/* Map path, creating or replacing it until its header fits this spec. */
static enum err
metrics_map(struct metrics *m, const char *dir, const char *path, char *err,
    size_t len)
{
	struct stat st, now;
	void	*p;
	enum err e;
	int	 fd, tries;

	for (tries = 0; tries < METRICS_OPEN_TRIES; tries++) {
		if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) == -1) {
			if (errno != ENOENT) {
				metrics_msg(err, len, "metrics: cannot open "
				    "%s: %s", path, strerror(errno));
				return ERR_SYSTEM;
			}
			if ((e = metrics_create(m, dir, path, false, err,
			    len)) != ERR_OK)
				return e;
			continue;
		}
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			metrics_msg(err, len, "metrics: %s is not a regular "
			    "file", path);
			close(fd);
			return ERR_SYSTEM;
		}
		if ((size_t)st.st_size == m->size) {
			p = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
			if (p == MAP_FAILED) {
				metrics_msg(err, len, "metrics: cannot map "
				    "%s: %s", path, strerror(errno));
				close(fd);
				return ERR_SYSTEM;
			}
			if (metrics_hdr_ok(m, p, m->size)) {
				close(fd);	/* the mapping stays */
				m->hdr = p;
				m->words = (_Atomic uint64_t *)(void *)
				    ((char *)p + sizeof(struct metrics_hdr));
				return ERR_OK;
			}
			munmap(p, m->size);
		}
		/*
		 * Stale: replace it, one process at a time, and only if it
		 * is still the file at path once we hold its lock.
		 */
		e = ERR_OK;
		if (flock(fd, LOCK_EX) == -1) {
			metrics_msg(err, len, "metrics: cannot lock %s: %s",
			    path, strerror(errno));
			e = ERR_SYSTEM;
		} else if (stat(path, &now) == 0 && now.st_ino == st.st_ino &&
		    now.st_dev == st.st_dev)
			e = metrics_create(m, dir, path, true, err, len);
		close(fd);	/* and the lock */
		if (e != ERR_OK)
			return e;
	}
	metrics_msg(err, len, "metrics: %s keeps changing", path);
	return ERR_SYSTEM;
}

enum err
metrics_open(const char *dir, const struct metrics_spec *spec,
    struct metrics **out, char *err, size_t errlen)
{
	char	 path[METRICS_PATH_MAX];
	struct metrics *m = NULL;
	struct stat st;
	uint64_t now = (uint64_t)time(NULL), last;
	size_t	 nwords;
	enum err e;
	int	 n;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (dir == NULL || dir[0] == '\0' || spec == NULL) {
		metrics_msg(err, errlen, "metrics_dir: not set");
		return ERR_INPUT;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		metrics_msg(err, errlen, "metrics: out of memory");
		return ERR_NOMEM;
	}
	m->spec = spec;
	if ((e = metrics_layout(m, &nwords, err, errlen)) != ERR_OK)
		goto out;
	m->size = sizeof(struct metrics_hdr) + nwords * sizeof(uint64_t);
	if (stat(dir, &st) == -1) {
		metrics_msg(err, errlen, "metrics_dir %s: %s", dir,
		    strerror(errno));
		e = ERR_SYSTEM;
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		metrics_msg(err, errlen, "metrics_dir %s: not a directory",
		    dir);
		e = ERR_SYSTEM;
		goto out;
	}
	n = snprintf(path, sizeof(path), "%s/%s.metrics", dir, spec->program);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		metrics_msg(err, errlen, "metrics_dir %s: path too long", dir);
		e = ERR_SYSTEM;
		goto out;
	}
	if ((e = metrics_map(m, dir, path, err, errlen)) != ERR_OK)
		goto out;
	atomic_fetch_add_explicit(&m->hdr->starts, 1, memory_order_relaxed);
	last = atomic_load_explicit(&m->hdr->last_start, memory_order_relaxed);
	while (last < now && !atomic_compare_exchange_weak_explicit(
	    &m->hdr->last_start, &last, now, memory_order_relaxed,
	    memory_order_relaxed))
		;
	*out = m;
	m = NULL;
out:
	free(m);
	return e;
}

void
metrics_close(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->hdr != NULL)
		munmap(m->hdr, m->size);
	free(m);
}

/* ---- updates ------------------------------------------------------------- */

/* The first word of the label-value set, or NULL when out of range. */
static _Atomic uint64_t *
metrics_slot(const struct metrics *m, size_t id, const unsigned *labels,
    enum metrics_type type)
{
	const struct metrics_def *d;
	size_t	 j, idx = 0;

	if (m == NULL || id >= m->spec->ndefs)
		return NULL;
	d = &m->spec->defs[id];
	if (d->type != type || (d->nlabels > 0 && labels == NULL))
		return NULL;
	for (j = 0; j < d->nlabels; j++) {
		if (labels[j] >= d->labels[j].nvalues)
			return NULL;
		idx = idx * d->labels[j].nvalues + labels[j];
	}
	return &m->words[m->first[id] + idx * metrics_words(d)];
}

static double
metrics_dbl(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static uint64_t
metrics_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static void
metrics_dbl_add(_Atomic uint64_t *w, double d)
{
	uint64_t old = atomic_load_explicit(w, memory_order_relaxed);

	while (!atomic_compare_exchange_weak_explicit(w, &old,
	    metrics_bits(metrics_dbl(old) + d), memory_order_relaxed,
	    memory_order_relaxed))
		;
}

void
metrics_add(struct metrics *m, size_t id, const unsigned *labels, uint64_t n)
{
	_Atomic uint64_t *w;

	if ((w = metrics_slot(m, id, labels, METRICS_COUNTER)) != NULL)
		atomic_fetch_add_explicit(w, n, memory_order_relaxed);
}

void
metrics_inc(struct metrics *m, size_t id, const unsigned *labels)
{
	metrics_add(m, id, labels, 1);
}

void
metrics_set(struct metrics *m, size_t id, const unsigned *labels, double v)
{
	_Atomic uint64_t *w;

	if ((w = metrics_slot(m, id, labels, METRICS_GAUGE)) != NULL)
		atomic_store_explicit(w, metrics_bits(v), memory_order_relaxed);
}

void
metrics_gauge_add(struct metrics *m, size_t id, const unsigned *labels,
    double d)
{
	_Atomic uint64_t *w;

	if ((w = metrics_slot(m, id, labels, METRICS_GAUGE)) != NULL)
		metrics_dbl_add(w, d);
}

void
metrics_observe(struct metrics *m, size_t id, const unsigned *labels,
    double v)
{
	const struct metrics_def *d;
	_Atomic uint64_t *w;
	size_t	 b;

	if (isnan(v) ||
	    (w = metrics_slot(m, id, labels, METRICS_HISTOGRAM)) == NULL)
		return;
	d = &m->spec->defs[id];
	for (b = 0; b < d->nbuckets && v > d->buckets[b]; b++)
		;
	/* Bucket b alone (b == nbuckets: +Inf); cumulated when rendered. */
	atomic_fetch_add_explicit(&w[b], 1, memory_order_relaxed);
	metrics_dbl_add(&w[d->nbuckets + 1], v);
}

/* ---- the text format ----------------------------------------------------- */

/* A float as Prometheus reads it: the shortest %g that reads back. */
static const char *
metrics_num(double v, char out[METRICS_NUM_SIZE])
{
	char	*end;
	int	 prec;

	if (isnan(v))
		return "NaN";
	if (isinf(v))
		return v > 0 ? "+Inf" : "-Inf";
	for (prec = 15; prec <= 17; prec++) {
		snprintf(out, METRICS_NUM_SIZE, "%.*g", prec, v);
		if (strtod(out, &end) == v && *end == '\0')
			break;
	}
	return out;
}

/* HELP text: backslash and newline escaped. */
static void
metrics_help(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_adds(b, "\\\\");
		else if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void
metrics_value(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_adds(b, "\\\\");
		else if (*s == '"')
			buf_adds(b, "\\\"");
		else if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	}
}

static void
metrics_head(struct buf *b, const char *name, const char *suffix,
    const char *help, const char *type)
{
	buf_addf(b, "# HELP %s%s ", name, suffix);
	metrics_help(b, help);
	buf_addf(b, "\n# TYPE %s%s %s\n", name, suffix, type);
}

/*
 * name{labels of series idx[,le="..."]}: "le" NULL for none.
 */
static void
metrics_series(struct buf *b, const char *name, const char *suffix,
    const struct metrics_def *d, size_t idx, const char *le)
{
	size_t	 vi[METRICS_LABELS_MAX], j;

	for (j = d->nlabels; j-- > 0;) {
		vi[j] = idx % d->labels[j].nvalues;
		idx /= d->labels[j].nvalues;
	}
	buf_addf(b, "%s%s", name, suffix);
	if (d->nlabels == 0 && le == NULL)
		return;
	buf_addc(b, '{');
	for (j = 0; j < d->nlabels; j++) {
		buf_addf(b, "%s%s=\"", j > 0 ? "," : "", d->labels[j].name);
		metrics_value(b, d->labels[j].values[vi[j]]);
		buf_addc(b, '"');
	}
	if (le != NULL)
		buf_addf(b, "%sle=\"%s\"", d->nlabels > 0 ? "," : "", le);
	buf_addc(b, '}');
}

static const char *const metrics_type_names[METRICS_TYPE__MAX] = {
	[METRICS_COUNTER] = "counter",
	[METRICS_GAUGE] = "gauge",
	[METRICS_HISTOGRAM] = "histogram",
};

static void
metrics_render_def(const struct metrics *m, size_t id, struct buf *b)
{
	const struct metrics_def *d = &m->spec->defs[id];
	char	 num[METRICS_NUM_SIZE];
	_Atomic uint64_t *w;
	uint64_t cum;
	size_t	 s, k;

	metrics_head(b, d->name, "", d->help, metrics_type_names[d->type]);
	for (s = 0; s < m->series[id]; s++) {
		w = &m->words[m->first[id] + s * metrics_words(d)];
		switch (d->type) {
		case METRICS_COUNTER:
			metrics_series(b, d->name, "", d, s, NULL);
			buf_addf(b, " %" PRIu64 "\n", atomic_load_explicit(w,
			    memory_order_relaxed));
			break;
		case METRICS_GAUGE:
			metrics_series(b, d->name, "", d, s, NULL);
			buf_addf(b, " %s\n", metrics_num(metrics_dbl(
			    atomic_load_explicit(w, memory_order_relaxed)),
			    num));
			break;
		case METRICS_HISTOGRAM:
		default:
			for (cum = 0, k = 0; k <= d->nbuckets; k++) {
				cum += atomic_load_explicit(&w[k],
				    memory_order_relaxed);
				metrics_series(b, d->name, "_bucket", d, s,
				    k < d->nbuckets ?
				    metrics_num(d->buckets[k], num) : "+Inf");
				buf_addf(b, " %" PRIu64 "\n", cum);
			}
			metrics_series(b, d->name, "_sum", d, s, NULL);
			buf_addf(b, " %s\n", metrics_num(metrics_dbl(
			    atomic_load_explicit(&w[d->nbuckets + 1],
			    memory_order_relaxed)), num));
			metrics_series(b, d->name, "_count", d, s, NULL);
			buf_addf(b, " %" PRIu64 "\n", cum);
			break;
		}
	}
}

enum err
metrics_render(const struct metrics *m, struct buf *b)
{
	const char *ns;
	char	 num[METRICS_NUM_SIZE];
	size_t	 i;

	if (m == NULL)
		return ERR_INPUT;
	ns = m->spec->ns;
	for (i = 0; i < m->spec->ndefs && b->err == ERR_OK; i++)
		metrics_render_def(m, i, b);
	metrics_head(b, ns, "_start_time_seconds", "Unix time at which the "
	    "shared counters of this program started.", "gauge");
	buf_addf(b, "%s_start_time_seconds %s\n", ns, metrics_num((double)
	    atomic_load(&m->hdr->created), num));
	metrics_head(b, ns, "_process_start_time_seconds", "Unix time at "
	    "which the latest process of this program started.", "gauge");
	buf_addf(b, "%s_process_start_time_seconds %s\n", ns, metrics_num(
	    (double)atomic_load(&m->hdr->last_start), num));
	metrics_head(b, ns, "_process_starts_total", "Processes of this "
	    "program started since the counters started.", "counter");
	buf_addf(b, "%s_process_starts_total %" PRIu64 "\n", ns,
	    atomic_load(&m->hdr->starts));
	metrics_head(b, ns, "_build_info", "The program's version; the value "
	    "is always 1.", "gauge");
	buf_addf(b, "%s_build_info{version=\"", ns);
	metrics_value(b, m->spec->version);
	buf_adds(b, "\"} 1\n");
	return b->err;
}

void
metrics_request(struct metrics *m, unsigned requests, unsigned duration,
    unsigned route, int status, double ms)
{
	const unsigned l[2] = { route, metrics_status_class(status) };

	metrics_inc(m, requests, l);
	metrics_observe(m, duration, l, ms / 1000.0);
}
