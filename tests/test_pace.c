/* pace: --pace and --pause, parsed and applied to the right steps. */
#include <criterion/criterion.h>
#include <string.h>

#include "pace.h"

Test(pace, waits_before_every_step_but_the_first_and_adds_pauses)
{
	struct pace pace = { 0 };
	char why[160];
	cr_assert_eq(pace_parse_every(&pace, "2", why, sizeof why), 0);
	cr_assert_eq(pace_parse_pause(&pace, "last:65", why, sizeof why), 0);
	cr_assert_eq(pace_parse_pause(&pace, "3:0.5", why, sizeof why), 0);
	cr_assert_float_eq(pace_before(&pace, 1, 14), 0.0, 1e-9);
	cr_assert_float_eq(pace_before(&pace, 2, 14), 2.0, 1e-9);
	cr_assert_float_eq(pace_before(&pace, 3, 14), 2.5, 1e-9);
	cr_assert_float_eq(pace_before(&pace, 14, 14), 67.0, 1e-9, "last: the lesson's last step");
}

Test(pace, refuses_what_is_not_seconds_or_step_colon_seconds)
{
	static const char *const every[] = { "", "x", "-1", "2s", "nan", "inf", "99999" };
	static const char *const pauses[] = { "65",       ":65", "0:65", "-3:65", "last:",
					      "first:65", "3:x", "3:-1", "3:1e9" };
	struct pace pace = { 0 };
	char why[160];
	for (size_t i = 0; i < sizeof every / sizeof every[0]; i++)
		cr_assert_eq(pace_parse_every(&pace, every[i], why, sizeof why), -1,
			     "--pace '%s' accepted", every[i]);
	for (size_t i = 0; i < sizeof pauses / sizeof pauses[0]; i++)
		cr_assert_eq(pace_parse_pause(&pace, pauses[i], why, sizeof why), -1,
			     "--pause '%s' accepted", pauses[i]);
	cr_assert(strstr(why, "STEP:SECONDS"), "%s", why);
	cr_assert_eq(pace.pause_count, 0);
}

static int waited_ms;
static int count_wait(void *context, int ms, char **err)
{
	(void)context;
	(void)err;
	waited_ms += ms;
	return 0;
}

Test(pace, a_stop_signal_ends_the_wait)
{
	struct pace pace = { .every_s = 3600 };
	volatile sig_atomic_t stop = 1;
	waited_ms = 0;
	cr_assert_eq(pace_wait(&pace, 2, 3, &stop, count_wait, NULL, NULL), 0);
	cr_assert_eq(waited_ms, 0);
}
