/*
 * fcgi-hello -- a bare FastCGI responder for benchmarks and harness checks.
 *
 * Accepts on fd 0 (as started by mod_fcgid or lighttpd's bin-path) and
 * answers every request with "hello\n" as text/plain.  With the request
 * header "X-Hello-Env: NAME" it answers the value of the FastCGI parameter
 * NAME instead, and with "X-Hello-Getenv: NAME" the value of the environment
 * variable NAME (the harness uses them to see what the server passes on:
 * HTTP_AUTHORIZATION, SCRIPT_NAME, TODO_API_CONFIG).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#define HELLO_BODY	"hello\n"

static int
respond(FCGX_Request *req)
{
	const char	*name, *val;
	char		 head[256];
	int		 n;

	val = HELLO_BODY;
	if ((name = FCGX_GetParam("HTTP_X_HELLO_ENV", req->envp)) != NULL)
		val = FCGX_GetParam(name, req->envp);
	else if ((name = FCGX_GetParam("HTTP_X_HELLO_GETENV", req->envp)) !=
	    NULL)
		val = getenv(name);
	if (val == NULL)
		val = "(unset)";
	n = snprintf(head, sizeof(head), "Status: 200 OK\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n\r\n", strlen(val));
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (FCGX_PutStr(head, n, req->out) != n)
		return -1;
	if (FCGX_PutStr(val, (int)strlen(val), req->out) != (int)strlen(val))
		return -1;
	return 0;
}

int
main(void)
{
	FCGX_Request	 req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0) {
		fputs("fcgi-hello: cannot initialise libfcgi\n", stderr);
		return 1;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		if (respond(&req) != 0)
			fputs("fcgi-hello: write failed\n", stderr);
		FCGX_Finish_r(&req);
	}
	return 0;
}
