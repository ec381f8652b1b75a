/* packet_flags — a TCP segment's flag bits and their names (packet_flags.h). */
#include "packet_flags.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Reading order, ACK last: "SYN-ACK", "FIN-PSH-ACK". */
static const struct {
	uint8_t bit;
	const char *name;
} names[] = {
	{ PACKET_FLAG_SYN, "SYN" },
	{ PACKET_FLAG_FIN, "FIN" },
	{ PACKET_FLAG_RST, "RST" },
	{ PACKET_FLAG_PSH, "PSH" },
	{ PACKET_FLAG_URG, "URG" },
	{ PACKET_FLAG_ECE, "ECE" },
	{ PACKET_FLAG_CWR, "CWR" },
	{ PACKET_FLAG_ACK, "ACK" },
};
_Static_assert(sizeof names / sizeof names[0] == 8, "one name per TCP flag bit");

const char *packet_flags_text(int protocol, uint8_t flags, char *out, size_t size)
{
	size_t at = 0;
	if (size == 0)
		return out;
	out[0] = '\0';
	if (protocol != IPPROTO_TCP)
		return out;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(flags & names[i].bit))
			continue;
		int written = snprintf(out + at, size - at, "%s%s", at ? "-" : "", names[i].name);
		if (written < 0 || (size_t)written >= size - at)
			return out;
		at += (size_t)written;
	}
	if (at == 0)
		snprintf(out, size, "none");
	return out;
}

int packet_flags_parse(int protocol, const char *text, uint8_t *flags)
{
	uint8_t bits = 0;
	const size_t count = sizeof names / sizeof names[0];
	if (protocol == IPPROTO_TCP && strcmp(text, "none") != 0) {
		for (const char *name = text;; name++) {
			size_t len = strcspn(name, "-"), i = 0;
			while (i < count && !(strlen(names[i].name) == len
					      && memcmp(names[i].name, name, len) == 0))
				i++;
			if (i == count || (bits & names[i].bit))
				return -1;
			bits |= names[i].bit;
			name += len;
			if (*name == '\0')
				break;
		}
	}
	/* Only the order packet_flags_text writes reads back: one name, one value. */
	char again[PACKET_FLAGS_TEXT_MAX];
	if (strcmp(packet_flags_text(protocol, bits, again, sizeof again), text) != 0)
		return -1;
	*flags = bits;
	return 0;
}
