/*
 * health: the answers of /healthz (the process is alive: no database, no
 * provider) and /readyz (the database answers a ping and every provider's
 * documents are loaded), shared by both programs.
 */
#ifndef TODO_HEALTH_H
#define TODO_HEALTH_H

#include <stddef.h>

#include "db.h"
#include "httpc.h"
#include "provider.h"
#include "req.h"

void	health_alive(struct req *);
/* "providers" may hold NULL entries (flows not configured). */
void	health_ready(struct req *, struct db *, const struct db_stmt *ping,
	    struct provider *const *providers, size_t n, struct httpc *);

#endif
