/* packet_flags — a TCP segment's flag bits, as the header carries them,
 * and the one name every frontend and trace gives them: "SYN-ACK",
 * "FIN-PSH-ACK", "none" for a segment with no flag; "" for a packet of
 * another protocol (UDP has no flags). A trace holds the name; its
 * reader turns it back into the bits with packet_flags_parse.
 */
#ifndef SOCKLAB_PACKET_FLAGS_H
#define SOCKLAB_PACKET_FLAGS_H

#include <stddef.h>
#include <stdint.h>

/* The TCP header's flag byte (RFC 9293 section 3.1, RFC 3168 for ECE and CWR). */
enum packet_flag {
	PACKET_FLAG_FIN = 0x01,
	PACKET_FLAG_SYN = 0x02,
	PACKET_FLAG_RST = 0x04,
	PACKET_FLAG_PSH = 0x08,
	PACKET_FLAG_ACK = 0x10,
	PACKET_FLAG_URG = 0x20,
	PACKET_FLAG_ECE = 0x40,
	PACKET_FLAG_CWR = 0x80,
};

/* Room for any name packet_flags_text writes (all eight flags), with the NUL. */
#define PACKET_FLAGS_TEXT_MAX 32

/* The flags of a packet of `protocol` (IPPROTO_TCP, IPPROTO_UDP, ...) in
 * reading order with ACK last: "SYN", "SYN-ACK", "FIN-PSH-ACK"; "none"
 * for a TCP segment with no flag; "" for any other protocol. Cut to `size`
 * (PACKET_FLAGS_TEXT_MAX always fits). Returns out. */
const char *packet_flags_text(int protocol, uint8_t flags, char *out, size_t size);

/* The flags that packet_flags_text names `text` for `protocol`: 0 with
 * *flags, or -1 when no flags are named so ("ACK-SYN", "SYN-SYN", "",
 * "none" for UDP). */
int packet_flags_parse(int protocol, const char *text, uint8_t *flags);

#endif
