/* fuzz_address — address_parse and lab_address_parse on arbitrary bytes.
 *
 * lab_address_parse on the same bytes: a text it takes prints back the same.
 * Besides memory errors: a length it returns fits the sockaddr it names,
 * and an IPv4 or IPv6 address it accepts reads back the same through
 * text_address (what the transcript prints) and address_parse again.
 * Seeds: tests/fuzz/corpus-address/.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "address.h"
#include "lesson.h"
#include "text.h"

#define FUZZ_MAX_BYTES 512

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_BYTES)
		return 0;
	/* lab_address_parse takes a text only when its value prints it again. */
	char text[FUZZ_MAX_BYTES + 1];
	memcpy(text, data, size);
	text[size] = '\0';
	struct lab_address value;
	if (lab_address_parse(text, &value) == 0) {
		char again[TEXT_ADDRESS_MAX];
		check(strcmp(lab_address_text(&value, again, sizeof again), text) == 0);
	}
	struct sockaddr_storage address;
	socklen_t len = address_parse((const char *)data, size, &address);
	if (len == 0)
		return 0;
	switch (address.ss_family) {
	case AF_INET:
		check(len == sizeof(struct sockaddr_in));
		break;
	case AF_INET6:
		check(len == sizeof(struct sockaddr_in6));
		break;
	case AF_UNIX:
		check(len > offsetof(struct sockaddr_un, sun_path)
		      && len <= sizeof(struct sockaddr_un));
		return 0;
	default:
		check(false);
	}
	/* "*" is how text_address writes the all-zero address and port 0: the
	 * one inet form that does not read back. */
	char printed[TEXT_ADDRESS_MAX];
	text_address((const struct sockaddr *)&address, len, printed, sizeof printed);
	if (strcmp(printed, "*") == 0)
		return 0;
	struct sockaddr_storage again;
	socklen_t again_len = address_parse(printed, strlen(printed), &again);
	check(again_len == len && memcmp(&again, &address, len) == 0);
	return 0;
}
