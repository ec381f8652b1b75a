/* fuzz_probe — probe_parse_dump_kind on arbitrary netlink dumps.
 *
 * The first byte picks the dump kind (its value modulo 5: PROBE_TCP4,
 * PROBE_TCP6, PROBE_UDP4, PROBE_UDP6, PROBE_UNIX); the rest is the dump.
 * The parser wants a buffer aligned as netlink aligns messages, so the
 * dump is copied into its own allocation of exactly its size (any read
 * past it is an AddressSanitizer report).
 *
 * Seeds: tests/fuzz/corpus-probe/, each a recorded dump of
 * tests/fixtures/ with its kind byte in front:
 *   for k in tcp4:00 tcp6:01 udp4:02 udp6:03 unix:04 error:00; do
 *     { printf "\x${k#*:}"; cat tests/fixtures/${k%:*}.bin; } > tests/fuzz/corpus-probe/${k%:*}
 *   done
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define FUZZ_MAX_BYTES 65536

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > FUZZ_MAX_BYTES)
		return 0;
	unsigned kind = 1u << (data[0] % 5);
	size_t len = size - 1;
	void *dump = malloc(len ? len : 1);
	if (!dump)
		return 0;
	memcpy(dump, data + 1, len);

	struct probe_snapshot snap = { 0 };
	char *err = NULL;
	int result = probe_parse_dump_kind(dump, len, kind, &snap, &err);
	check(result >= -1 && result <= 1);
	check((result == -1) == (err != NULL));
	for (size_t i = 0; i < snap.count; i++) {
		const struct probe_socket *socket = &snap.sockets[i];
		check(socket->family == AF_INET || socket->family == AF_INET6
		      || socket->family == AF_UNIX);
		/* Whatever the kernel (or the fuzzer) says, a name is a static string. */
		check(probe_socket_state_name(socket) != NULL);
	}
	free(err);
	probe_snapshot_done(&snap);
	free(dump);
	return 0;
}
