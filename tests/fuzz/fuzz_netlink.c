/* fuzz_netlink — netlink_text on arbitrary bytes: what a traced program
 * sends on a netlink socket is anything it likes, and the decoder must
 * neither read past the bytes it was given nor write past its room.
 *
 * The input's first two bytes choose the room (1..512 characters) and how
 * much more the call said it carried than the bytes at hand (a buffer the
 * lab read partly); the rest are the bytes, copied to a heap block of
 * exactly their length so that AddressSanitizer sees any read past them.
 * Seeds: tests/fuzz/corpus-netlink/.
 */
#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netlink_text.h"

#define FUZZ_MAX_BYTES 8192

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > FUZZ_MAX_BYTES)
		return 0;
	size_t room = 1 + (size_t)data[0] * 2;
	size_t unread = data[1] & 0x80 ? data[1] & 0x7f : 0;
	size_t len = size - 2;
	unsigned char *bytes = malloc(len ? len : 1);
	char *out = malloc(room);
	check(bytes && out);
	memcpy(bytes, data + 2, len);
	if (netlink_text(NETLINK_ROUTE, bytes, len, len + unread, out, room))
		check(strnlen(out, room) < room);
	free(bytes);
	free(out);
	return 0;
}
