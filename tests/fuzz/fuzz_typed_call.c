/* fuzz_typed_call — typed_call_parse, the free-play grammar, on arbitrary
 * bytes: "side: [name =] call(args)" with the sides server and client and
 * a scope that already holds a few names (server: ls, conn; client: c).
 *
 * The scope is rebuilt for every input, since a call that names its
 * result adds to it. Seeds: tests/fuzz/corpus-call/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

#define FUZZ_MAX_BYTES 4096

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char sides[][NAME_MAX_LEN] = { "server", "client" };
	if (size > FUZZ_MAX_BYTES)
		return 0;
	struct name_scope scope;
	memset(&scope, 0, sizeof scope);
	strcpy(scope.names[0][0], "ls");
	strcpy(scope.names[0][1], "conn");
	scope.count[0] = 2;
	strcpy(scope.names[1][0], "c");
	scope.count[1] = 1;

	struct diagnostics diag;
	diagnostics_init(&diag, "typed");
	struct typed_call call;
	struct source_pos pos = { .line = 1, .column = 1 };
	int result =
		typed_call_parse((const char *)data, size, pos, sides, 2, &scope, &call, &diag);
	if (result == 0) {
		check(diag.count == 0);
		check(call.side == 0 || call.side == 1);
		check(call.def != NULL && call.text != NULL);
		check(call.arg_count >= call.def->min_args && call.arg_count <= call.def->max_args);
		if (call.result_name[0])
			check(scope.count[call.side] <= 32);
	} else {
		check(result == -1 && diag.count > 0);
	}
	typed_call_done(&call);
	diagnostics_done(&diag);
	return 0;
}
