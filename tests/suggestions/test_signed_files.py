"""Issue 18: the trained suggestion files were loaded with a bare pickle.load,
so whoever could write to the folder could run code in every web process.
Only files signed with the installation's secret key are loaded now."""

import pickle

import pytest

from shishi.combing import DuplicateIndex
from shishi.suggestions import store

pytestmark = pytest.mark.django_db

RAN = []


class Payload:
    """A pickle that runs code when loaded."""

    def __reduce__(self):
        return (RAN.append, ("code ran",))


def _save(classifier):
    return store.save(
        meta={},
        classifier=classifier,
        router=None,
        appeals=DuplicateIndex(),
        items=DuplicateIndex(),
    )


def test_a_signed_file_loads():
    version = _save({"weights": [1, 2, 3]})
    assert store.load(version).classifier == {"weights": [1, 2, 3]}


def test_a_bare_pickle_is_refused_and_never_unpickled():
    RAN.clear()
    version = _save({"weights": [1]})
    path = store.root() / f"v{version}" / "classifier.pkl"
    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(store.UnsignedModelFile):
        store.load(version)
    assert RAN == []
    # The web falls back to no suggestions rather than failing.
    store.forget()
    assert store.models(fresh=False).classifier is None
    assert RAN == []


def test_a_file_signed_with_another_secret_is_refused(settings):
    RAN.clear()
    own = settings.SECRET_KEY
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    version = _save(Payload.__new__(Payload))
    settings.SECRET_KEY = own
    with pytest.raises(store.UnsignedModelFile):
        store.load(version)
    assert RAN == []
