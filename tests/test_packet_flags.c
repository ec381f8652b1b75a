/* packet_flags: a TCP segment's flag bits and the names frontends and traces give them. */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "packet_flags.h"

static const char *named(int protocol, unsigned flags)
{
	static char out[PACKET_FLAGS_TEXT_MAX];
	return packet_flags_text(protocol, (uint8_t)flags, out, sizeof out);
}

Test(packet_flags_text, names_the_handshake_and_the_close_as_wireshark_does)
{
	cr_assert_str_eq(named(IPPROTO_TCP, PACKET_FLAG_SYN), "SYN");
	cr_assert_str_eq(named(IPPROTO_TCP, PACKET_FLAG_SYN | PACKET_FLAG_ACK), "SYN-ACK");
	cr_assert_str_eq(named(IPPROTO_TCP, PACKET_FLAG_ACK), "ACK");
	cr_assert_str_eq(named(IPPROTO_TCP, PACKET_FLAG_PSH | PACKET_FLAG_ACK), "PSH-ACK");
	cr_assert_str_eq(named(IPPROTO_TCP, PACKET_FLAG_FIN | PACKET_FLAG_ACK), "FIN-ACK");
	cr_assert_str_eq(named(IPPROTO_TCP, PACKET_FLAG_FIN | PACKET_FLAG_PSH | PACKET_FLAG_ACK),
			 "FIN-PSH-ACK");
	cr_assert_str_eq(named(IPPROTO_TCP, PACKET_FLAG_RST), "RST");
	cr_assert_str_eq(named(IPPROTO_TCP, PACKET_FLAG_RST | PACKET_FLAG_ACK), "RST-ACK");
}

Test(packet_flags_text, says_none_for_a_segment_without_flags_and_nothing_for_udp)
{
	cr_assert_str_eq(named(IPPROTO_TCP, 0), "none");
	cr_assert_str_eq(named(IPPROTO_UDP, 0), "");
	/* UDP has no flag byte: whatever the bits say, there is no name. */
	cr_assert_str_eq(named(IPPROTO_UDP, PACKET_FLAG_SYN), "");
}

Test(packet_flags_text, fits_all_eight_flags_in_its_room)
{
	cr_assert_str_eq(named(IPPROTO_TCP, 0xff), "SYN-FIN-RST-PSH-URG-ECE-CWR-ACK");
	cr_assert_lt(strlen(named(IPPROTO_TCP, 0xff)), PACKET_FLAGS_TEXT_MAX);
}

Test(packet_flags_text, cuts_to_the_room_it_is_given)
{
	char out[6];
	packet_flags_text(IPPROTO_TCP, PACKET_FLAG_SYN | PACKET_FLAG_ACK, out, sizeof out);
	cr_assert_str_eq(out, "SYN-A");
}

Test(packet_flags_parse, reads_back_every_name_it_writes)
{
	/* Every flag byte: the text and the value never disagree. */
	for (unsigned bits = 0; bits <= 0xff; bits++) {
		uint8_t back = 0;
		const char *text = named(IPPROTO_TCP, bits);
		cr_assert_eq(packet_flags_parse(IPPROTO_TCP, text, &back), 0, "%s", text);
		cr_assert_eq(back, bits, "%s read back as 0x%02x, not 0x%02x", text, back, bits);
	}
	uint8_t udp = 0xff;
	cr_assert_eq(packet_flags_parse(IPPROTO_UDP, "", &udp), 0);
	cr_assert_eq(udp, 0);
}

Test(packet_flags_parse, refuses_what_it_never_writes)
{
	const char *wrong[] = { "ACK-SYN", "SYN-SYN", "SYN-", "-SYN",     "syn",
				"",        "SYN ACK", "NONE", "none-ACK", "XYZ" };
	for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
		uint8_t flags = 0x55;
		cr_assert_eq(packet_flags_parse(IPPROTO_TCP, wrong[i], &flags), -1, "\"%s\"",
			     wrong[i]);
		cr_assert_eq(flags, 0x55, "left as it was on \"%s\"", wrong[i]);
	}
	uint8_t flags = 0;
	cr_assert_eq(packet_flags_parse(IPPROTO_UDP, "SYN", &flags), -1, "UDP has no flags");
	cr_assert_eq(packet_flags_parse(IPPROTO_UDP, "none", &flags), -1,
		     "\"none\" is a TCP segment's");
}
