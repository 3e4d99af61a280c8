#ifndef TA_HELLO_WORLD_H
#define TA_HELLO_WORLD_H

/* The UUID of the hello world TA (the one OP-TEE's example uses). */
#define TA_HELLO_WORLD_UUID                                                    \
	{ 0x8aaaf200, 0x2450, 0x11e4,                                          \
	  { 0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b } }

/* The function IDs implemented in this TA */
#define TA_HELLO_WORLD_CMD_INC_VALUE 0
#define TA_HELLO_WORLD_CMD_DEC_VALUE 1

#endif /* TA_HELLO_WORLD_H */
