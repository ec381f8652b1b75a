/* pace — waits between steps, so a transcript crosses the kernel's timers. */
#include "pace.h"

#include <errno.h>
#include <math.h>   /* isfinite, a macro: no libm */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool parse_seconds(const char *text, double *out)
{
	char *end = NULL;
	errno = 0;
	double value = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(value) || value < 0
	    || value > PACE_SECONDS_MAX)
		return false;
	*out = value;
	return true;
}

int pace_parse_every(struct pace *pace, const char *text, char *why, size_t why_size)
{
	if (!parse_seconds(text, &pace->every_s)) {
		snprintf(why, why_size,
			 "--pace takes seconds between steps, 0 to %.0f (2, 0.5), got '%s'",
			 PACE_SECONDS_MAX, text);
		return -1;
	}
	return 0;
}

int pace_parse_pause(struct pace *pace, const char *text, char *why, size_t why_size)
{
	const char *colon = strchr(text, ':');
	size_t step = 0;
	double seconds;
	bool step_ok = false;
	if (colon && colon - text == 4 && strncmp(text, "last", 4) == 0) {
		step_ok = true;
	} else if (colon && colon > text && colon - text < 8) {
		char *end = NULL;
		unsigned long value = strtoul(text, &end, 10);
		step_ok = end == colon && value >= 1 && text[0] != '-' && text[0] != '+';
		step = value;
	}
	if (!step_ok || !parse_seconds(colon + 1, &seconds)) {
		snprintf(why, why_size,
			 "--pause takes STEP:SECONDS (17:65, or last:65 for the last step), "
			 "got '%s'",
			 text);
		return -1;
	}
	if (pace->pause_count == PACE_PAUSES_MAX) {
		snprintf(why, why_size, "at most %d --pause options", PACE_PAUSES_MAX);
		return -1;
	}
	pace->pauses[pace->pause_count].step = step;
	pace->pauses[pace->pause_count].seconds = seconds;
	pace->pause_count++;
	return 0;
}

double pace_before(const struct pace *pace, size_t next, size_t step_count)
{
	double seconds = next > 1 ? pace->every_s : 0;
	for (int i = 0; i < pace->pause_count; i++) {
		size_t step = pace->pauses[i].step ? pace->pauses[i].step : step_count;
		if (step == next)
			seconds += pace->pauses[i].seconds;
	}
	return seconds;
}

static int64_t now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int pace_wait(const struct pace *pace, size_t next, size_t step_count,
	      const volatile sig_atomic_t *stop, pace_wait_fn *wait, void *context, char **err)
{
	double seconds = pace_before(pace, next, step_count);
	int64_t deadline = now_ms() + (int64_t)(seconds * 1000.0 + 0.5);
	for (int64_t left = deadline - now_ms(); left > 0 && !*stop; left = deadline - now_ms()) {
		/* a stop signal is seen within a slice */
		int slice = left < 200 ? (int)left : 200;
		if (wait) {
			if (wait(context, slice, err) < 0)
				return -1;
		} else {
			struct timespec tick = { .tv_sec = 0, .tv_nsec = (long)slice * 1000000 };
			nanosleep(&tick, NULL);
		}
	}
	return 0;
}
