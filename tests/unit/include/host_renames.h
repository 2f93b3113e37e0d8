/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests only. Our freestanding lib functions carry libc's names,
 * so for the host they are renamed to xl_*: the Makefile passes this file
 * with -include when it compiles hypervisor sources, and tests that call
 * them include it around the xenolith headers.
 *
 * The libc headers come first, so their declarations keep libc's names
 * and later includes of them are no-ops. Including this file again with
 * HOST_RENAMES_UNDO defined drops the renames, so a test can call the
 * xl_* version and the libc one side by side. No include guard on purpose.
 */
#ifndef HOST_RENAMES_UNDO

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define memcpy         xl_memcpy
#define memmove        xl_memmove
#define memset         xl_memset
#define memcmp         xl_memcmp
#define strlen         xl_strlen
#define strnlen        xl_strnlen
#define strcmp         xl_strcmp
#define strncmp        xl_strncmp
#define strchr         xl_strchr
#define strrchr        xl_strrchr
#define strlcpy        xl_strlcpy
#define simple_strtoul xl_simple_strtoul
#define vsnprintf      xl_vsnprintf
#define snprintf       xl_snprintf

#else

#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strlcpy
#undef simple_strtoul
#undef vsnprintf
#undef snprintf
#undef HOST_RENAMES_UNDO

#endif
