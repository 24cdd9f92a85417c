/*
 * metrics: counters, gauges and histograms shared by every process of
 * one program, rendered in the Prometheus text format 0.0.4.
 *
 * The program declares a fixed registry (an enum of its metrics and a
 * table of struct metrics_def: name, help, type, labels with a fixed
 * list of values each, histogram buckets).  metrics_open() maps the
 * file DIR/PROGRAM.metrics (MAP_SHARED) that every process of the
 * program shares, creating it when absent: a new file is written under
 * a temporary name (O_CREAT|O_EXCL, ftruncate) and linked into place
 * only once complete, so no process ever sees half a header.  A file
 * whose header does not match this registry (another layout version,
 * size or registry) is replaced; processes still mapping the old one
 * count into it unseen until they restart.  Updates are C11 atomics on
 * the mapping (lock-free 64-bit words): counters and histogram buckets
 * with atomic_fetch_add_explicit, gauges and sums (doubles) with
 * compare-and-swap.  A gauge set by several processes holds the last
 * value set.
 *
 * Labels are passed as indices into each label's values, in the order
 * of the def's labels (NULL for a metric without labels); an index or
 * a metric out of range is ignored, and so is every update on a NULL
 * struct metrics.  The spec and its tables are borrowed: they must
 * outlive the struct metrics (static tables).
 */
#ifndef TODO_METRICS_H
#define TODO_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define METRICS_DIR_DEFAULT "/run/todo-b2c"	/* metrics_dir */
#define METRICS_LAYOUT_VERSION 1	/* of the file; bump on change */
#define METRICS_DEFS_MAX 64		/* metrics of one program */
#define METRICS_LABELS_MAX 3		/* labels of one metric */
#define METRICS_SERIES_MAX 512		/* label sets of one metric */
#define METRICS_BUCKETS_MAX 20		/* histogram bounds, +Inf excluded */
#define METRICS_NAME_MAX 100		/* bytes of a metric or label name */
#define METRICS_PATH_MAX 4096		/* bytes of DIR/PROGRAM.metrics */
#define METRICS_ERR_MAX 512		/* room for metrics_open's message */
#define METRICS_STATUS_CLASSES 5	/* "1xx" ... "5xx" */

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
	METRICS_HISTOGRAM,
	METRICS_TYPE__MAX
};

struct metrics_label {
	const char		*name;		/* "route" */
	const char *const	*values;	/* nvalues of them */
	size_t			 nvalues;
};

struct metrics_def {
	const char		*name;		/* "todo_api_requests_total" */
	const char		*help;
	enum metrics_type	 type;
	const struct metrics_label *labels;	/* NULL: none */
	size_t			 nlabels;
	const double		*buckets;	/* ascending, finite */
	size_t			 nbuckets;	/* histograms only */
};

struct metrics_spec {
	const char		*ns;		/* "todo_api": built-ins */
	const char		*program;	/* "todo-api": file name */
	const char		*version;	/* build_info */
	const struct metrics_def *defs;		/* by the program's enum */
	size_t			 ndefs;
};

struct metrics;

/*
 * Map (creating or replacing as above) DIR/PROGRAM.metrics.  ERR_INPUT
 * when the spec is malformed, ERR_SYSTEM when the directory or the file
 * cannot be used, ERR_NOMEM; *out is then NULL and err holds a message
 * naming what failed.  The process start counts in the built-ins.
 */
enum err metrics_open(const char *dir, const struct metrics_spec *,
	    struct metrics **out, char *err, size_t errlen);
void	 metrics_close(struct metrics *);

void	 metrics_add(struct metrics *, size_t metric,
	    const unsigned *labels, uint64_t n);	/* counter */
void	 metrics_inc(struct metrics *, size_t metric,
	    const unsigned *labels);			/* counter + 1 */
void	 metrics_set(struct metrics *, size_t metric,
	    const unsigned *labels, double v);		/* gauge */
void	 metrics_gauge_add(struct metrics *, size_t metric,
	    const unsigned *labels, double d);		/* gauge + d */
void	 metrics_observe(struct metrics *, size_t metric,
	    const unsigned *labels, double v);		/* histogram */

/*
 * Append every metric, then the built-ins NS_start_time_seconds (when
 * the file was created: the counters count from then),
 * NS_process_start_time_seconds (the latest process start),
 * NS_process_starts_total and NS_build_info{version="..."}, in the text
 * format 0.0.4 (Content-Type: text/plain; version=0.0.4).  Values are
 * read one word at a time while processes update them.  ERR_NOMEM when
 * the buf's cap is reached; ERR_INPUT on a NULL struct metrics.
 */
/*
 * One finished request: adds 1 to the counter "requests" and the duration
 * to the histogram "duration", labelled by route (index into the program's
 * route table; "nroutes" when it matched none) and status class.
 */
void	 metrics_request(struct metrics *, unsigned requests, unsigned duration,
	    unsigned route, int status, double ms);
enum err metrics_render(const struct metrics *, struct buf *);

/* The values of a status-class label, and the index of a status. */
extern const char *const metrics_status_classes[METRICS_STATUS_CLASSES];
unsigned metrics_status_class(int status);	/* 100..599; else "5xx" */

#endif
