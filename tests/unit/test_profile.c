/* profile: names, the guess from the metadata URL, what follows. */
#include "config.h"

#include <string.h>

#include "profile.h"
#include "tap.h"

static void
test_names(void)
{
	enum profile p = PROFILE__MAX;
	size_t i;

	for (i = 0; i < PROFILE__MAX; i++)
		ok(profile_parse(profile_name((enum profile)i), &p) &&
		    p == (enum profile)i, "%s round-trips",
		    profile_name((enum profile)i));
	ok(!profile_parse("B2C", &p), "names are exact (B2C refused)");
	ok(!profile_parse("external_id", &p), "external_id refused");
	ok(!profile_parse("", &p), "empty refused");
	ok(!profile_parse(NULL, &p), "NULL refused");
	is_str(profile_name(PROFILE__MAX), "unknown", "out of range");
}

static void
test_guess(void)
{
	static const struct {
		const char	*url;
		enum profile	 want;
	} t[] = {
		{ "https://contoso.b2clogin.com/contoso.onmicrosoft.com/"
		    "{policy}/v2.0/.well-known/openid-configuration",
		    PROFILE_B2C },
		{ "https://login.contoso.com/contoso.onmicrosoft.com/"
		    "B2C_1_susi/v2.0/.well-known/openid-configuration",
		    PROFILE_B2C },		/* custom domain, policy path */
		{ "http://127.0.0.1:9000/dev.onmicrosoft.com/{policy}/v2.0/"
		    ".well-known/openid-configuration", PROFILE_B2C },
		{ "https://contoso.b2clogin.com/tfp/x/b2c_1a_signin/v2.0/"
		    ".well-known/openid-configuration", PROFILE_B2C },
		{ "https://B2CLOGIN.COM/x/.well-known/openid-configuration",
		    PROFILE_B2C },
		{ "https://contoso.ciamlogin.com/11111111-2222-3333-4444-"
		    "555555555555/v2.0/.well-known/openid-configuration",
		    PROFILE_EXTERNAL_ID },
		{ "  https://contoso.ciamlogin.com/x/v2.0/.well-known/"
		    "openid-configuration https://accounts.example/",
		    PROFILE_EXTERNAL_ID },	/* the first of a list */
		{ "https://accounts.google.com/.well-known/"
		    "openid-configuration", PROFILE_GENERIC },
		{ "https://login.microsoftonline.com/common/v2.0/.well-known/"
		    "openid-configuration", PROFILE_GENERIC },
		{ "https://evilb2clogin.com/x", PROFILE_GENERIC },
		{ "https://ciamlogin.com.evil.example/x", PROFILE_GENERIC },
		{ "https://example.com/ciamlogin.com/x", PROFILE_GENERIC },
		{ "not a url", PROFILE_GENERIC },
		{ "", PROFILE_GENERIC },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_str(profile_name(profile_guess(t[i].url)),
		    profile_name(t[i].want), "guess %s", t[i].url);
	is_int(profile_guess(NULL), PROFILE_GENERIC, "NULL: generic");
}

static void
test_defaults(void)
{
	ok(!profile_at_jwt_default(PROFILE_B2C), "b2c: typ JWT accepted");
	ok(!profile_at_jwt_default(PROFILE_EXTERNAL_ID),
	    "external-id: typ JWT accepted");
	ok(profile_at_jwt_default(PROFILE_GENERIC), "generic: at+jwt");
	is_str(profile_user_claim(PROFILE_B2C), "oid", "b2c user: oid");
	is_str(profile_user_claim(PROFILE_EXTERNAL_ID), "oid",
	    "external-id user: oid (sub is per application)");
	is_str(profile_user_claim(PROFILE_GENERIC), "oid sub",
	    "generic user: oid, else sub");
	ok(profile_has_policies(PROFILE_B2C) &&
	    !profile_has_policies(PROFILE_EXTERNAL_ID) &&
	    !profile_has_policies(PROFILE_GENERIC), "only b2c has policies");
	ok(!profile_client_assertion(PROFILE_B2C) &&
	    profile_client_assertion(PROFILE_EXTERNAL_ID) &&
	    profile_client_assertion(PROFILE_GENERIC),
	    "certificate credentials: not b2c");
}

int
main(void)
{
	test_names();
	test_guess();
	test_defaults();
	return tap_done();
}
