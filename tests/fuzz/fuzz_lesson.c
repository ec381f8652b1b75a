/* fuzz_lesson — lesson_parse on arbitrary bytes.
 *
 * The bytes go in exactly as libFuzzer hands them over: not NUL-terminated,
 * in a buffer of exactly `size` bytes, so AddressSanitizer sees any read
 * past the end of the text (lesson_load's buffer has a spare byte and
 * would hide it). Beyond memory errors the target checks the parser's
 * contract: NULL always comes with at least one diagnostic, a lesson never
 * does, and a lesson that parses holds only what the parser promised.
 *
 * Seeds: lessons/ (the shipped lessons, read in place) and
 * tests/fuzz/corpus-lesson/ (broken ones and regressions).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

/* A lesson is a few KiB; the parser's own limits (line length, repeats)
 * are all reached well below this. */
#define FUZZ_MAX_BYTES 65536

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

static void check_call(const struct typed_call *call, int side_count)
{
	check(call->side >= 0 && call->side < side_count);
	check(call->def != NULL);
	check(call->arg_count >= call->def->min_args && call->arg_count <= call->def->max_args);
	check(call->text != NULL);
	for (int i = 0; i < call->arg_count; i++) {
		const struct call_arg *arg = &call->args[i];
		check(arg->kind == call->def->args[i]);
		if (arg->kind == ARG_BYTES)
			check(arg->bytes != NULL && arg->bytes[arg->bytes_len] == '\0');
		if (arg->kind == ARG_ADDRESS)
			check(arg->address_len > 0 && arg->address_len <= sizeof arg->address);
	}
}

static void check_lesson(const struct lesson *lesson)
{
	check(lesson->title != NULL);
	check(lesson->side_count >= 1 && lesson->side_count <= LESSON_MAX_SIDES);
	check(lesson->step_count >= 1);
	for (size_t i = 0; i < lesson->step_count; i++) {
		const struct lesson_step *step = &lesson->steps[i];
		check_call(&step->call, lesson->side_count);
		for (size_t k = 0; k < step->expect_count; k++) {
			const struct expectation *e = &step->expects[k];
			check(e->woken_side < lesson->side_count);
			if (e->kind == EXPECT_STATE)
				check(e->side >= 0 && e->side < lesson->side_count);
			if (e->kind == EXPECT_BYTES)
				check(e->bytes != NULL);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_BYTES)
		return 0;
	struct diagnostics diag;
	diagnostics_init(&diag, "fuzz.lesson");
	struct lesson *lesson = lesson_parse("fuzz.lesson", (const char *)data, size, &diag);
	check((lesson == NULL) == (diag.count > 0));
	for (size_t i = 0; i < diag.count; i++)
		check(strncmp(diag.messages[i], "fuzz.lesson:", 12) == 0);
	if (lesson)
		check_lesson(lesson);
	lesson_free(lesson);
	diagnostics_done(&diag);
	return 0;
}
