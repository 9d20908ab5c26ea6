from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from hypothesis import strategies as st


class Counter(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.total = 0

    @rule(n=st.integers(min_value=0, max_value=3))
    def add(self, n):
        self.total += n

    @invariant()
    def non_negative(self):
        assert self.total >= 0


Counter.TestCase.settings = settings(max_examples=5, stateful_step_count=5)
TestCounter = Counter.TestCase
