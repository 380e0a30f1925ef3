# The pipeline test also carries the label that CI runs under ThreadSanitizer.
if(TEST test_pipeline)
  set_tests_properties(test_pipeline PROPERTIES LABELS "unit;pipeline")
endif()
# agg_tables_finish() merges on one thread while others resolve spilled partitions and count them
# in the merged table under a lock: test_agg and the end-to-end thread-count checks run under
# TSan too.
if(TEST test_agg)
  set_tests_properties(test_agg PROPERTIES LABELS "unit;pipeline")
endif()
if(TEST cli_Determinism)
  set_tests_properties(cli_Determinism PROPERTIES LABELS "cli;golden;pipeline")
endif()
