/* cp037 for the printable ASCII range, as runs of consecutive codes. */
#include "ebcdic.h"

static const struct { char first, last; uint8_t code; } runs[] = {
    { ' ', ' ', 0x40 }, { '!', '!', 0x5a }, { '"', '"', 0x7f }, { '#', '#', 0x7b },
    { '$', '$', 0x5b }, { '%', '%', 0x6c }, { '&', '&', 0x50 }, { '\'', '\'', 0x7d },
    { '(', '(', 0x4d }, { ')', ')', 0x5d }, { '*', '*', 0x5c }, { '+', '+', 0x4e },
    { ',', ',', 0x6b }, { '-', '-', 0x60 }, { '.', '.', 0x4b }, { '/', '/', 0x61 },
    { '0', '9', 0xf0 }, { ':', ':', 0x7a }, { ';', ';', 0x5e }, { '<', '<', 0x4c },
    { '=', '=', 0x7e }, { '>', '>', 0x6e }, { '?', '?', 0x6f }, { '@', '@', 0x7c },
    { 'A', 'I', 0xc1 }, { 'J', 'R', 0xd1 }, { 'S', 'Z', 0xe2 }, { '[', '[', 0xba },
    { '\\', '\\', 0xe0 }, { ']', ']', 0xbb }, { '^', '^', 0xb0 }, { '_', '_', 0x6d },
    { '`', '`', 0x79 }, { 'a', 'i', 0x81 }, { 'j', 'r', 0x91 }, { 's', 'z', 0xa2 },
    { '{', '{', 0xc0 }, { '|', '|', 0x4f }, { '}', '}', 0xd0 }, { '~', '~', 0xa1 },
};

uint8_t ascii_to_ebcdic(char c)
{
    for (unsigned i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
        if (c >= runs[i].first && c <= runs[i].last)
            return runs[i].code + (c - runs[i].first);
    return 0x40;
}

char ebcdic_to_ascii(uint8_t e)
{
    for (unsigned i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
        if (e >= runs[i].code && e <= runs[i].code + (runs[i].last - runs[i].first))
            return runs[i].first + (e - runs[i].code);
    return '?';
}
