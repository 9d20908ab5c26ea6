def test_indent():
    pass
  def oops():
    pass
