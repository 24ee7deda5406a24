"""A font cut down to a set of characters by HarfBuzz-Subset, where the machine has it (4.1.0 or later).

The EPUB's fonts are subset on every build whose text brings a new character; fontTools
takes about 0.4 s a face, HarfBuzz a hundredth of that. The subset keeps what the
fontTools path of `fonts.subset_font` keeps: every layout feature (small caps, figures,
ligatures), every name record, a drawn .notdef, the hinting, and the font's own tables
otherwise; HarfBuzz writes no date of its own, so the bytes do not depend on the clock.
Where HarfBuzz-Subset is missing or older, `available()` is false and fontTools does it;
the toolchain fingerprint names which (`pdf.toolchain`), so a cache never mixes the two.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_DECLARATIONS = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef int hb_bool_t;
typedef void (*hb_destroy_func_t) (void *user_data);

hb_bool_t hb_version_atleast (unsigned int major, unsigned int minor, unsigned int micro);
hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode, void *user_data,
                           hb_destroy_func_t destroy);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_face_destroy (hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_clear (hb_set_t *set);
void hb_set_invert (hb_set_t *set);

hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""

_MEMORY_MODE_DUPLICATE = 0
_FLAG_NOTDEF_OUTLINE = 0x40
_SET_UNICODE, _SET_NAME_ID, _SET_NAME_LANG_ID, _SET_LAYOUT_FEATURE_TAG = 1, 4, 5, 6


@lru_cache(maxsize=1)
def _libraries() -> tuple[Any, Any, Any] | None:
    """cffi's handle on HarfBuzz and HarfBuzz-Subset, or None where either is missing or too old."""
    try:
        import cffi  # type: ignore[import-untyped]

        ffi = cffi.FFI()
        ffi.cdef(_DECLARATIONS)
        harfbuzz = ffi.dlopen("libharfbuzz.so.0")
        subset = ffi.dlopen("libharfbuzz-subset.so.0")
    except (ImportError, OSError, AttributeError):
        return None
    if not harfbuzz.hb_version_atleast(4, 1, 0):  # the version WeasyPrint asks for before it subsets with it
        return None
    return ffi, harfbuzz, subset


def available() -> bool:
    return _libraries() is not None


def subset(font_data: bytes, characters: tuple[int, ...]) -> bytes | None:
    """`font_data` cut down to `characters`, or None when HarfBuzz-Subset is missing or fails."""
    libraries = _libraries()
    if libraries is None:
        return None
    ffi, harfbuzz, hb_subset = libraries
    blob = ffi.gc(harfbuzz.hb_blob_create(font_data, len(font_data), _MEMORY_MODE_DUPLICATE, ffi.NULL, ffi.NULL),
                  harfbuzz.hb_blob_destroy)
    face = ffi.gc(harfbuzz.hb_face_create(blob, 0), harfbuzz.hb_face_destroy)
    request = hb_subset.hb_subset_input_create_or_fail()
    if request == ffi.NULL:
        return None
    request = ffi.gc(request, hb_subset.hb_subset_input_destroy)
    unicodes = hb_subset.hb_subset_input_set(request, _SET_UNICODE)
    for character in characters:
        harfbuzz.hb_set_add(unicodes, character)
    for everything in (_SET_NAME_ID, _SET_NAME_LANG_ID, _SET_LAYOUT_FEATURE_TAG):  # '*', as hb-subset spells it
        kept = hb_subset.hb_subset_input_set(request, everything)
        harfbuzz.hb_set_clear(kept)
        harfbuzz.hb_set_invert(kept)
    hb_subset.hb_subset_input_set_flags(request, _FLAG_NOTDEF_OUTLINE)
    result = hb_subset.hb_subset_or_fail(face, request)
    if result == ffi.NULL:
        return None
    result = ffi.gc(result, harfbuzz.hb_face_destroy)
    data = ffi.gc(harfbuzz.hb_face_reference_blob(result), harfbuzz.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    pointer = harfbuzz.hb_blob_get_data(data, length)
    return bytes(ffi.buffer(pointer, length[0])) if length[0] else None
