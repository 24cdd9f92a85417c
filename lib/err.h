/* err: the one error type every lib function returns. */
#ifndef TODO_ERR_H
#define TODO_ERR_H

enum err {
	ERR_OK = 0,
	ERR_INPUT,	/* the caller's input is malformed or out of bounds */
	ERR_AUTH,	/* credentials missing, bad or expired */
	ERR_FORBIDDEN,	/* authenticated, but not allowed */
	ERR_NOTFOUND,	/* no such thing (or not yours) */
	ERR_DB,		/* the database failed or is unreachable */
	ERR_UPSTREAM,	/* a remote peer (provider, API) failed */
	ERR_SYSTEM,	/* the operating system or a library failed */
	ERR_NOMEM,	/* out of memory, or a size cap was reached */
	ERR__MAX
};

const char *err_str(enum err);

#endif
