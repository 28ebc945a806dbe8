"""Small helpers the browser tests share."""
import time


def wait_for(predicate, timeout=15):
    """Poll `predicate` until it returns something truthy (and return that), or fail after `timeout` s."""
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")
