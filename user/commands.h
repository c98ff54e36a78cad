/* SPDX-License-Identifier: GPL-2.0 */
/* Every `mmscope` subcommand. Each lives in its own user/NAME.c. */
#ifndef MMSCOPE_COMMANDS_H
#define MMSCOPE_COMMANDS_H

#define MMSCOPE_CMD(name) int cmd_##name(int argc, char **argv) 

MMSCOPE_CMD(vmalock);
MMSCOPE_CMD(ptmem);
MMSCOPE_CMD(faultlat);
MMSCOPE_CMD(ptshare);
MMSCOPE_CMD(top);
MMSCOPE_CMD(probe);
MMSCOPE_CMD(run);
MMSCOPE_CMD(compare);
MMSCOPE_CMD(dashboard);
MMSCOPE_CMD(export);
MMSCOPE_CMD(import);
MMSCOPE_CMD(runs);

#endif
