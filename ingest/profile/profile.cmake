# The non-JSON input profiles, shipper envelopes/prefixes and format detection, added to rsla_core
# by the root CMakeLists.txt (include(... OPTIONAL)). common/rsla_time_formats.c is globbed with
# common/*.c already.
set(_prof_dir ${CMAKE_SOURCE_DIR}/ingest/profile)
target_sources(rsla_core PRIVATE
  ${_prof_dir}/prof_detect.c
  ${_prof_dir}/prof_envelope.c
  ${_prof_dir}/prof_scan.c
  ${_prof_dir}/prof_text.c)
