# The pipeline test also carries the label that CI runs under ThreadSanitizer.
if(TEST test_pipeline)
  set_tests_properties(test_pipeline PROPERTIES LABELS "unit;pipeline")
endif()
