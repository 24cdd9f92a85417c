#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "tap.h"

#define BIG	(200 * 1000)

#ifdef __SANITIZE_ADDRESS__
/* Let huge allocations fail with NULL, as they do without ASan. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}
#endif

/*
 * Interpose OPENSSL_cleanse so the test sees what buf_free_secret()
 * wipes: the pointer, the length, and whether the bytes held the secret
 * when the wipe began.
 */
static const void	*cleanse_ptr;
static size_t		 cleanse_len;
static int		 cleanse_calls;
static char		 cleanse_seen[64];

void
OPENSSL_cleanse(void *p, size_t len)
{
	volatile unsigned char *v = p;
	size_t i;

	cleanse_calls++;
	cleanse_ptr = p;
	cleanse_len = len;
	memset(cleanse_seen, 0, sizeof(cleanse_seen));
	memcpy(cleanse_seen, p, len < sizeof(cleanse_seen) - 1 ?
	    len : sizeof(cleanse_seen) - 1);
	for (i = 0; i < len; i++)
		v[i] = 0;
}

static bool
terminated(const struct buf *b)
{
	return b->data != NULL && b->data[b->len] == '\0' && b->cap > b->len;
}

static void
test_init(void)
{
	struct buf b;

	memset(&b, 0x5a, sizeof(b));
	buf_init(&b, 0);
	ok(b.data == NULL, "init: no data");
	is_int(b.len, 0, "init: len 0");
	is_int(b.cap, 0, "init: cap 0");
	is_int(b.max, BUF_MAX_DEFAULT, "init: max 0 means the default");
	is_int(b.err, ERR_OK, "init: err clear");
	is_str(buf_str(&b), "", "init: buf_str is \"\"");
	buf_init(&b, 7);
	is_int(b.max, 7, "init: explicit max kept");
	buf_free(&b);
}

static void
test_growth(void)
{
	struct buf	 b;
	char		*want = NULL;
	size_t		 i;
	bool		 good = true;

	buf_init(&b, 0);
	is_int(buf_add(&b, "", 0), ERR_OK, "add of 0 bytes");
	ok(b.data != NULL && b.data[0] == '\0', "add of 0 bytes: \"\"");
	buf_free(&b);

	if ((want = malloc(10000 + 1)) == NULL)
		return;
	buf_init(&b, 0);
	for (i = 0; i < 10000; i++) {
		want[i] = (char)('a' + i % 26);
		if (buf_addc(&b, want[i]) != ERR_OK || b.len != i + 1 ||
		    !terminated(&b)) {
			good = false;
			break;
		}
	}
	want[10000] = '\0';
	ok(good, "addc 10000 times: len and NUL at every step");
	is_int(b.len, 10000, "growth: len");
	is_str(buf_str(&b), want, "growth: contents");
	ok(b.cap >= 10001 && b.cap <= b.max + 1, "growth: cap in range");
	buf_free(&b);
	free(want);

	buf_init(&b, 0);
	ok(buf_add(&b, "a\0b", 3) == ERR_OK && b.len == 3 &&
	    memcmp(b.data, "a\0b", 4) == 0, "add keeps inner NUL, adds one");
	ok(buf_adds(&b, "cd") == ERR_OK && b.len == 5 &&
	    memcmp(b.data, "a\0bcd", 6) == 0, "adds appends");
	buf_free(&b);
}

static void
test_cap(void)
{
	struct buf	 b;
	char		*big = NULL;

	buf_init(&b, 10);
	is_int(buf_adds(&b, "0123456789"), ERR_OK, "cap: exactly max bytes");
	is_int(b.len, 10, "cap: len is max");
	ok(b.cap <= 11, "cap: no more than max + 1 allocated");
	is_int(buf_addc(&b, 'x'), ERR_NOMEM, "cap: one more byte refused");
	is_str(buf_str(&b), "0123456789", "cap: contents intact");
	is_int(b.len, 10, "cap: len intact");
	is_int(b.err, ERR_NOMEM, "cap: err set");
	is_int(buf_add(&b, "", 0), ERR_OK, "cap: empty add still fits");
	is_int(b.err, ERR_NOMEM, "cap: err is sticky after a good add");
	ok(terminated(&b), "cap: still NUL-terminated");
	buf_free(&b);

	buf_init(&b, 8);
	is_int(buf_adds(&b, "abcde"), ERR_OK, "cap 8: five bytes");
	is_int(buf_adds(&b, "fghi"), ERR_NOMEM, "cap 8: add crossing refused");
	is_str(buf_str(&b), "abcde", "cap 8: nothing of it appended");
	is_int(buf_adds(&b, "fgh"), ERR_OK, "cap 8: add up to cap allowed");
	is_str(buf_str(&b), "abcdefgh", "cap 8: contents");
	is_int(b.err, ERR_NOMEM, "cap 8: err remembers the refusal");
	buf_free(&b);

	/* Default cap. */
	if ((big = malloc(BUF_MAX_DEFAULT + 1)) == NULL)
		return;
	memset(big, 'z', BUF_MAX_DEFAULT + 1);
	buf_init(&b, 0);
	is_int(buf_add(&b, big, BUF_MAX_DEFAULT + 1), ERR_NOMEM,
	    "default cap: max + 1 refused");
	ok(b.len == 0 && b.data == NULL, "default cap: nothing allocated");
	is_int(buf_add(&b, big, BUF_MAX_DEFAULT), ERR_OK,
	    "default cap: max accepted");
	ok(b.len == BUF_MAX_DEFAULT && terminated(&b),
	    "default cap: len and NUL");
	is_int(buf_addc(&b, 'z'), ERR_NOMEM, "default cap: full");
	buf_free(&b);
	free(big);
}

static void
test_addf(void)
{
	struct buf	 b;
	char		*s = NULL, *want = NULL;

	buf_init(&b, 0);
	is_int(buf_adds(&b, "a"), ERR_OK, "addf: start");
	is_int(buf_addf(&b, "%d-%s-%zu", -5, "x y", (size_t)7), ERR_OK,
	    "addf: format");
	is_str(buf_str(&b), "a-5-x y-7", "addf: appends formatted text");
	ok(terminated(&b), "addf: NUL-terminated");
	is_int(buf_addf(&b, "%s", ""), ERR_OK, "addf: empty output");
	is_int(b.len, 9, "addf: empty output adds nothing");
	/* Longer than the room left: formatted again after growing. */
	is_int(buf_addf(&b, "%0*d|", 100, 3), ERR_OK, "addf: past the room");
	ok(b.len == 110 && b.data[9] == '0' && b.data[108] == '3' &&
	    b.data[109] == '|' && terminated(&b), "addf: past the room: "
	    "the whole output after the old text");
	buf_free(&b);

	buf_init(&b, 0);
	is_int(buf_addf(&b, "%s", ""), ERR_OK, "addf empty on fresh buf");
	ok(b.data != NULL && b.len == 0 && b.data[0] == '\0',
	    "addf empty on fresh buf: \"\"");
	buf_free(&b);

	/* Large output, well beyond the first allocation. */
	if ((s = malloc(BIG + 1)) == NULL || (want = malloc(BIG + 8)) == NULL)
		goto out;
	memset(s, 'q', BIG);
	s[BIG] = '\0';
	memcpy(want, "<", 1);
	memcpy(want + 1, s, BIG);
	memcpy(want + 1 + BIG, ">42", 4);
	buf_init(&b, 0);
	is_int(buf_addf(&b, "<%s>%d", s, 42), ERR_OK, "addf: large output");
	is_int(b.len, BIG + 4, "addf: large output length");
	is_str(buf_str(&b), want, "addf: large output contents");
	is_int(buf_addf(&b, "%0*d", BIG, 7), ERR_OK, "addf: wide field");
	ok(b.len == 2 * BIG + 4 && b.data[2 * BIG + 3] == '7' &&
	    b.data[BIG + 4] == '0' && terminated(&b),
	    "addf: wide field appended");
	buf_free(&b);

	buf_init(&b, 16);
	is_int(buf_adds(&b, "ab"), ERR_OK, "addf cap: start");
	is_int(buf_addf(&b, "%s", "0123456789abcde"), ERR_NOMEM,
	    "addf cap: output over the cap refused");
	is_str(buf_str(&b), "ab", "addf cap: contents intact");
	is_int(b.err, ERR_NOMEM, "addf cap: err set");
	is_int(buf_addf(&b, "%.*s", 14, s), ERR_OK,
	    "addf cap: output up to the cap");
	is_int(b.len, 16, "addf cap: len is max");
	buf_free(&b);
out:
	free(s);
	free(want);
}

static void
test_sticky(void)
{
	struct buf b;

	/* A conversion error: wide char not representable in "C". */
	buf_init(&b, 4);
	is_int(buf_adds(&b, "ab"), ERR_OK, "sticky: start");
	is_int(buf_addf(&b, "%lc", (wint_t)0x100), ERR_SYSTEM,
	    "sticky: unconvertible %%lc is ERR_SYSTEM");
	is_str(buf_str(&b), "ab", "sticky: contents intact");
	is_int(buf_adds(&b, "cdef"), ERR_NOMEM, "sticky: then over the cap");
	/* buf.h: "the first failure sticks in err". */
	is_int(b.err, ERR_SYSTEM, "sticky: err keeps the first failure");
	buf_free(&b);
}

static void
test_overflow(void)
{
	struct buf	 b;
	char		 x[8] = "abcdefg";

	buf_init(&b, 0);
	is_int(buf_add(&b, x, SIZE_MAX), ERR_NOMEM, "add SIZE_MAX refused");
	is_int(buf_add(&b, x, SIZE_MAX - 1), ERR_NOMEM,
	    "add SIZE_MAX - 1 refused");
	is_int(buf_adds(&b, "hello"), ERR_OK, "overflow: then a good add");
	is_int(buf_add(&b, x, SIZE_MAX - 3), ERR_NOMEM,
	    "len + n wraps: refused");
	is_int(buf_add(&b, x, BUF_MAX_DEFAULT - 4), ERR_NOMEM,
	    "len + n = max + 1 refused");
	is_str(buf_str(&b), "hello", "overflow: contents intact");
	buf_free(&b);

	/* A cap the address space cannot hold: realloc fails. */
	buf_init(&b, SIZE_MAX / 2);
	is_int(buf_adds(&b, "abc"), ERR_OK, "huge cap: small add");
	is_int(buf_add(&b, x, SIZE_MAX / 4), ERR_NOMEM,
	    "huge cap: failed realloc is ERR_NOMEM");
	is_str(buf_str(&b), "abc", "huge cap: contents intact");
	is_int(b.err, ERR_NOMEM, "huge cap: err set");
	buf_free(&b);
}

/*
 * max = SIZE_MAX: "cap > max + 1" wraps to 0 and "len + n + 1" can
 * wrap.  Run in a child: a broken buffer may crash.
 */
static int
max_size_child(void)
{
	struct buf	 b;
	char		 x[4] = "xyz";
	int		 bad = 0;

	buf_init(&b, SIZE_MAX);
	if (buf_adds(&b, "hello") != ERR_OK || b.len != 5 ||
	    strcmp(buf_str(&b), "hello") != 0 || b.cap < 6)
		bad |= 1;
	if (buf_adds(&b, " world, longer than one block of sixty-four "
	    "bytes, to grow it twice") != ERR_OK || b.len != 72)
		bad |= 2;
	buf_free(&b);
	buf_init(&b, SIZE_MAX);
	if (buf_add(&b, x, SIZE_MAX) != ERR_NOMEM)
		bad |= 4;
	buf_free(&b);
	return bad;
}

static void
test_max_size(void)
{
	pid_t	 pid;
	int	 st = 0;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		ok(false, "fork");
		return;
	}
	if (pid == 0)
		_exit(max_size_child());
	if (waitpid(pid, &st, 0) == -1)
		st = -1;
	if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "buf_init(SIZE_MAX): adds work, add of SIZE_MAX refused"))
		tap_diag("child: %s %d", WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

static void
test_steal_reset_free(void)
{
	struct buf	 b;
	char		*p = NULL;
	const char	*old;
	size_t		 cap;

	buf_init(&b, 0);
	p = buf_steal(&b);
	ok(p != NULL && *p == '\0', "steal empty: fresh \"\"");
	free(p);

	buf_init(&b, 6);
	buf_adds(&b, "hello");
	buf_adds(&b, "world");
	old = b.data;
	p = buf_steal(&b);
	ok(p == old, "steal: hands over the data");
	is_str(p, "hello", "steal: contents");
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "steal: buf reset");
	is_int(b.err, ERR_OK, "steal: err cleared");
	is_int(b.max, 6, "steal: max kept");
	is_str(buf_str(&b), "", "steal: buf_str \"\"");
	is_int(buf_adds(&b, "again"), ERR_OK, "steal: buf reusable");
	is_str(buf_str(&b), "again", "steal: new contents");
	free(p);
	buf_free(&b);

	buf_init(&b, 0);
	buf_reset(&b);
	is_str(buf_str(&b), "", "reset of an empty buf");
	buf_adds(&b, "some text");
	old = b.data;
	cap = b.cap;
	buf_reset(&b);
	is_int(b.len, 0, "reset: len 0");
	ok(b.data == old && b.cap == cap, "reset: memory kept");
	is_str(buf_str(&b), "", "reset: reads as \"\"");
	is_int(buf_adds(&b, "ab"), ERR_OK, "reset: add");
	is_str(buf_str(&b), "ab", "reset: new contents only");
	buf_free(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "free: cleared");
	is_str(buf_str(&b), "", "free: buf_str \"\"");
	buf_free(&b);
	ok(b.data == NULL, "free twice is fine");
}

static void
test_free_secret(void)
{
	struct buf	 b;
	const void	*old;
	size_t		 cap;

	buf_init(&b, 0);
	buf_adds(&b, "s3cr3t-token");
	old = b.data;
	cap = b.cap;
	cleanse_calls = 0;
	buf_free_secret(&b);
	is_int(cleanse_calls, 1, "free_secret: one wipe");
	ok(cleanse_ptr == old, "free_secret: wipes the data");
	is_int(cleanse_len, cap, "free_secret: wipes the whole allocation");
	is_str(cleanse_seen, "s3cr3t-token", "free_secret: before free");
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "free_secret: cleared");

	/* Reset then free: the old bytes past len are still wiped. */
	buf_init(&b, 0);
	buf_adds(&b, "Xsecret");
	buf_reset(&b);
	buf_free_secret(&b);
	ok(cleanse_len >= 8 && memcmp(cleanse_seen + 1, "secret", 6) == 0,
	    "free_secret after reset wipes past len");

	buf_init(&b, 0);
	cleanse_calls = 0;
	buf_free_secret(&b);
	ok(b.data == NULL && cleanse_calls == 0,
	    "free_secret of an empty buf");
}

static void
test_reserve(void)
{
	struct buf	 b;
	char		*before;

	buf_init(&b, 0);
	is_int(buf_reserve(&b, 1000), ERR_OK, "reserve on a fresh buf");
	ok(b.data != NULL && b.cap >= 1001 && b.len == 0 &&
	    b.data[0] == '\0', "reserve: room, still \"\"");
	is_str(buf_str(&b), "", "reserve: buf_str \"\"");
	before = b.data;
	buf_adds(&b, "abc");
	while (b.len < 1000)
		buf_addc(&b, 'x');
	ok(b.data == before && b.len == 1000, "reserve: no move below it");
	is_int(buf_reserve(&b, 10), ERR_OK, "reserve past the room");
	ok(b.cap >= 1011 && b.len == 1000 && terminated(&b) &&
	    strncmp(b.data, "abcx", 4) == 0, "reserve: contents kept");
	buf_free(&b);

	buf_init(&b, 8);
	buf_adds(&b, "abc");
	is_int(buf_reserve(&b, 6), ERR_NOMEM, "reserve over the cap");
	ok(b.err == ERR_NOMEM && b.len == 3 && terminated(&b),
	    "reserve over the cap: err set, contents kept");
	buf_free(&b);
}

static void
test_addbuf(void)
{
	struct buf	 a, b;

	buf_init(&a, 0);
	buf_init(&b, 0);
	buf_adds(&a, "x");
	is_int(buf_addbuf(&a, &b), ERR_OK, "addbuf: empty source");
	is_str(buf_str(&a), "x", "addbuf: empty source adds nothing");
	buf_adds(&b, "yz");
	is_int(buf_addbuf(&a, &b), ERR_OK, "addbuf");
	is_int(buf_addbuf(&a, &b), ERR_OK, "addbuf again");
	is_str(buf_str(&a), "xyzyz", "addbuf: appended twice");
	ok(terminated(&a), "addbuf: NUL-terminated");
	buf_free(&b);

	buf_init(&b, 2);
	buf_adds(&b, "ab");
	is_int(buf_adds(&b, "c"), ERR_NOMEM, "addbuf: source failed");
	is_int(buf_addbuf(&a, &b), ERR_NOMEM, "addbuf: failure passed on");
	is_int(a.err, ERR_NOMEM, "addbuf: destination's err set");
	is_str(buf_str(&a), "xyzyz", "addbuf: nothing of a failed source");
	buf_free(&b);
	buf_free(&a);

	buf_init(&a, 3);
	buf_init(&b, 0);
	buf_adds(&a, "12");
	buf_adds(&b, "34");
	is_int(buf_addbuf(&a, &b), ERR_NOMEM, "addbuf: over the cap");
	is_str(buf_str(&a), "12", "addbuf: over the cap: unchanged");
	buf_free(&a);
	buf_free(&b);
}

int
main(void)
{
	test_init();
	test_growth();
	test_cap();
	test_addf();
	test_addbuf();
	test_reserve();
	test_sticky();
	test_overflow();
	test_max_size();
	test_steal_reset_free();
	test_free_secret();
	return tap_done();
}
