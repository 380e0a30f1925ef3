# The JSON scanner's sources, added to rsla_core by the root CMakeLists.txt.
#
# The generic files build with the project's flags. Each SIMD kernel is one file built with its
# own ISA flags, and only when a probe program using those intrinsics compiles with them (zlib-ng
# cmake/detect-intrinsics.cmake habit); the dispatcher learns which kernels exist through
# RSLA_SCAN_HAVE_<ISA>. Nothing else in the project sees an ISA flag, so the binary still runs on
# any CPU of its architecture: kernels are chosen at run time (scan_dispatch.c).
include(CheckCSourceCompiles)

set(_scan_dir ${CMAKE_SOURCE_DIR}/ingest/scan)
set(_scan_generic ${_scan_dir}/scan_dispatch.c ${_scan_dir}/scan_profile.c ${_scan_dir}/scan_scalar.c)
# The built-in profile rows and the profile-file reader (scan_profiles*.c), beside the step.
file(GLOB _scan_profiles CONFIGURE_DEPENDS ${_scan_dir}/scan_profiles*.c)
target_sources(rsla_core PRIVATE ${_scan_generic} ${_scan_profiles})

option(RSLA_WITH_SSE42 "Build the SSE4.2 scanner kernel when the compiler can" ON)
option(RSLA_WITH_AVX2 "Build the AVX2 scanner kernel when the compiler can" ON)
option(RSLA_WITH_AVX512 "Build the AVX-512 scanner kernel when the compiler can" ON)
option(RSLA_WITH_NEON "Build the NEON scanner kernel when the compiler can" ON)

# rsla_scan_kernel(<isa> <flags> <probe source>): adds scan_<isa>.c with <flags> if the probe
# compiles with them.
function(rsla_scan_kernel isa flags probe)
  string(TOUPPER ${isa} ISA)
  set(src ${_scan_dir}/scan_${isa}.c)
  if(NOT RSLA_WITH_${ISA} OR NOT EXISTS ${src})
    return()
  endif()
  set(CMAKE_REQUIRED_FLAGS "${flags}")
  check_c_source_compiles("${probe}" RSLA_SCAN_CC_${ISA})
  unset(CMAKE_REQUIRED_FLAGS)
  if(NOT RSLA_SCAN_CC_${ISA})
    return()
  endif()
  target_sources(rsla_core PRIVATE ${src})
  separate_arguments(flag_list UNIX_COMMAND "${flags}")
  set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "${flag_list}")
  set_property(SOURCE ${_scan_dir}/scan_dispatch.c APPEND PROPERTY COMPILE_DEFINITIONS
               RSLA_SCAN_HAVE_${ISA})
  set(RSLA_SCAN_KERNELS ${RSLA_SCAN_KERNELS} ${isa} PARENT_SCOPE)
endfunction()

set(RSLA_SCAN_KERNELS scalar)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|i.86)$")
  rsla_scan_kernel(sse42 "-msse4.2 -mpclmul -mpopcnt" "
    #include <nmmintrin.h>
    #include <wmmintrin.h>
    int main(void) {
      __m128i a = _mm_shuffle_epi8(_mm_set1_epi8(1), _mm_set1_epi8(2));
      a = _mm_clmulepi64_si128(a, a, 0);
      return _mm_popcnt_u64((unsigned long long)_mm_cvtsi128_si64(a)) + _mm_movemask_epi8(a);
    }")
  rsla_scan_kernel(avx2 "-mavx2 -mbmi -mbmi2 -mpclmul -mpopcnt" "
    #include <immintrin.h>
    int main(void) {
      __m256i a = _mm256_shuffle_epi8(_mm256_set1_epi8(1), _mm256_set1_epi8(2));
      __m128i c = _mm_clmulepi64_si128(_mm256_castsi256_si128(a), _mm256_castsi256_si128(a), 0);
      return (int)_pdep_u64(3, 5) + (int)_tzcnt_u64(8) + _mm256_movemask_epi8(a) + _mm_cvtsi128_si32(c);
    }")
  rsla_scan_kernel(avx512 "-mavx512f -mavx512bw -mavx512vl -mavx512vbmi2 -mavx2 -mbmi -mbmi2 -mpclmul -mpopcnt" "
    #include <immintrin.h>
    int main(void) {
      __m512i a = _mm512_shuffle_epi8(_mm512_set1_epi8(1), _mm512_set1_epi8(2));
      __m512i b = _mm512_alignr_epi8(a, _mm512_permutex2var_epi64(a, _mm512_set1_epi64(1), a), 15);
      __mmask64 m = _mm512_cmpeq_epi8_mask(a, b);
      __m512i c = _mm512_maskz_compress_epi8(m, a);
      return (int)_cvtmask64_u64(m) + (int)_tzcnt_u64(8) + _mm_cvtsi128_si32(_mm512_castsi512_si128(c));
    }")
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  rsla_scan_kernel(neon "" "
    #include <arm_neon.h>
    int main(void) {
      uint8x16_t a = vqtbl1q_u8(vdupq_n_u8(1), vdupq_n_u8(2));
      return (int)vaddvq_u8(a);
    }")
endif()

message(STATUS "regsla scanner kernels: ${RSLA_SCAN_KERNELS}")
