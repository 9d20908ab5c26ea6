import pytest

STATE = {}


def pytest_sessionstart(session):
    STATE["backend"] = "sqlite+pysqlite_3_40_1"


def pytest_pycollect_makeitem(collector, name, obj):
    # A class per backend, bound on the module while collecting (SQLAlchemy's plugin).
    if isinstance(obj, type) and getattr(obj, "__per_backend__", False):
        sub = type(f"{name}_{STATE.get('backend', 'none')}", (obj,), {"__per_backend__": False})
        setattr(collector.module, sub.__name__, sub)
        return [pytest.Class.from_parent(collector, name=sub.__name__)]


def pytest_collection_modifyitems(session, config, items):
    # Items of a class made after collection, in place of the original's.
    new = []
    for item in items:
        cls = item.getparent(pytest.Class)
        if cls is not None and getattr(cls.cls, "__late_backend__", False):
            name = cls.cls.__name__ + "_sqlite"
            module = item.getparent(pytest.Module)
            if not hasattr(module.obj, name):
                setattr(module.obj, name, type(name, (cls.cls,), {"__late_backend__": False}))
            sub = pytest.Class.from_parent(module, name=name)
            new.extend(i for i in sub.collect() if i.name == item.name)
        else:
            new.append(item)
    items[:] = new
