#include "config.h"

#include "err.h"

static const char *const err_strs[ERR__MAX] = {
	[ERR_OK] = "ok",
	[ERR_INPUT] = "bad input",
	[ERR_AUTH] = "not authenticated",
	[ERR_FORBIDDEN] = "forbidden",
	[ERR_NOTFOUND] = "not found",
	[ERR_DB] = "database error",
	[ERR_UPSTREAM] = "upstream error",
	[ERR_SYSTEM] = "system error",
	[ERR_NOMEM] = "out of memory",
};

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR__MAX)
		return "unknown error";
	return err_strs[e];
}
