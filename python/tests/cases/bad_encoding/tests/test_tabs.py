class TestTabs:
	def test_tab(self):
		pass

	def test_tab_2(self):
		if True:
			pass
