"""The bilinear cohesive law against its closed form: path, energy, tangent, history,
contact, mixed mode."""

from __future__ import annotations

import numpy as np
import pytest

from polycat.fem.interfaces.cohesive import CohesiveLaw

N = np.array([[0.0, 0.0, 1.0]])


def _tn(law: CohesiveLaw, dn: float, kappa: float = 0.0) -> float:
    st = law.evaluate(np.array([[0.0, 0.0, dn]]), N, np.array([kappa]))
    return float(st.traction[0, 2])


def test_mode_one_path_is_the_bilinear_curve() -> None:
    law = CohesiveLaw(k0=1e4, strength=100.0, energy=1.0)  # δ0 = 0.01, δf = 0.02
    assert law.delta_0 == pytest.approx(0.01) and law.delta_f == pytest.approx(0.02)
    assert _tn(law, 0.005) == pytest.approx(50.0)
    assert _tn(law, 0.01) == pytest.approx(100.0)
    assert _tn(law, 0.015) == pytest.approx(50.0)  # halfway down the softening branch
    assert _tn(law, 0.025) == pytest.approx(1e4 * 1e-6 * 0.025)  # residual only
    # area under the monotonic curve = G_c
    d = np.linspace(0.0, 0.03, 30001)
    t = law.evaluate(np.column_stack([0 * d, 0 * d, d]), np.repeat(N, len(d), 0), d * 0).traction[
        :, 2
    ]
    t = np.where(d < law.delta_f, t, 0.0)
    assert np.trapezoid(t, d) == pytest.approx(1.0, rel=1e-4)
    assert float(law.dissipated(np.array([0.03]))[0]) == pytest.approx(1.0)
    assert float(law.dissipated(np.array([0.005]))[0]) == 0.0


def test_unloading_follows_the_secant_and_history_is_kept() -> None:
    law = CohesiveLaw(k0=1e4, strength=100.0, energy=1.0)
    st = law.evaluate(np.array([[0, 0, 0.015]]), N, np.array([0.0]))
    kappa = st.kappa
    assert st.damage[0] == pytest.approx(2.0 / 3.0)
    # back to half the opening: traction halves (secant), damage does not heal
    back = law.evaluate(np.array([[0, 0, 0.0075]]), N, kappa)
    assert back.traction[0, 2] == pytest.approx(25.0)
    assert back.damage[0] == pytest.approx(2.0 / 3.0)
    assert np.allclose(back.tangent, back.secant)  # unloading: tangent = secant


def test_contact_in_compression_whatever_the_damage() -> None:
    law = CohesiveLaw(k0=1e4, strength=100.0, energy=1.0, contact_stiffness=1e5)

    assert _tn(law, -0.001, 1.0) == pytest.approx(-100.0)  # k_c δ_n, damage irrelevant
    assert _tn(law, -0.001, 0.0) == pytest.approx(-100.0)


@pytest.mark.parametrize("jump", [(0.0, 0.0, 0.013), (0.004, -0.003, 0.011), (0.009, 0.0, 0.002)])
def test_tangent_is_the_derivative_of_the_traction(jump: tuple[float, float, float]) -> None:
    law = CohesiveLaw(k0=1e4, strength=100.0, energy=1.0, shear_strength=80.0)
    j = np.array([jump])
    k0 = np.array([0.0])
    K = law.evaluate(j, N, k0).tangent[0]
    h = 1e-8
    fd = np.zeros((3, 3))
    for c in range(3):
        e = np.zeros((1, 3))
        e[0, c] = h
        fd[:, c] = (
            law.evaluate(j + e, N, k0).traction[0] - law.evaluate(j - e, N, k0).traction[0]
        ) / (2 * h)
    np.testing.assert_allclose(K, fd, rtol=1e-5, atol=1e-6 * law.k0)


def test_pure_shear_strength_and_energy() -> None:
    law = CohesiveLaw(k0=1e4, strength=100.0, energy=1.0, shear_strength=50.0)  # β = 2
    s = np.linspace(0.0, 0.05, 50001)
    t = law.evaluate(np.column_stack([s, 0 * s, 0 * s]), np.repeat(N, len(s), 0), s * 0).traction[
        :, 0
    ]
    assert t.max() == pytest.approx(50.0, rel=1e-3)
    t = np.where(s < law.delta_f / law.beta, t, 0.0)
    assert np.trapezoid(t, s) == pytest.approx(1.0 * (50.0 / 100.0) ** 2, rel=1e-3)


def test_refuses_a_snapping_law() -> None:
    with pytest.raises(ValueError, match="final opening"):
        CohesiveLaw(k0=10.0, strength=100.0, energy=1.0)  # δ0 = 10 > δf = 0.02


def test_viscous_history_relaxes_towards_the_opening_and_its_tangent_is_exact() -> None:
    law = CohesiveLaw(k0=1e4, strength=100.0, energy=1.0)  # δ0 = 0.01, δf = 0.02
    j = np.array([[0.0, 0.0, 0.016]])
    st = law.evaluate(j, N, np.array([0.012]), rate=3.0)
    assert st.kappa[0] == pytest.approx(0.012 + 0.75 * 0.004)  # r/(1+r) of the way
    assert law.evaluate(j, N, np.array([0.012]), rate=np.inf).kappa[0] == pytest.approx(0.016)
    h = 1e-9
    e = np.array([[0.0, 0.0, h]])
    fd = (
        law.evaluate(j + e, N, np.array([0.012]), rate=3.0).traction[0, 2]
        - law.evaluate(j - e, N, np.array([0.012]), rate=3.0).traction[0, 2]
    ) / (2 * h)
    assert st.tangent[0, 2, 2] == pytest.approx(fd, rel=1e-5)


def test_held_history_and_contact_status_make_the_law_linear() -> None:
    """IMPL-EX evaluation: history held (rate 0) and contact status given: the traction
    is the secant times the jump, linear in the jump whatever its sign, with the penalty
    k_c on the normal opening of a closed point and the damaged secant on an open one."""
    law = CohesiveLaw(k0=1e4, strength=100.0, energy=1.0, contact_stiffness=3e4)
    kappa = np.array([0.015, 0.015])  # d = 2/3: secant (1 − d) k0 = 3333
    n = np.repeat(N, 2, 0)
    closed = np.array([True, False])
    jump = np.array([[1e-3, 0.0, 2e-3], [1e-3, 0.0, -2e-3]])
    st = law.evaluate(jump, n, kappa, rate=0.0, closed=closed)
    st2 = law.evaluate(2 * jump, n, kappa, rate=0.0, closed=closed)
    np.testing.assert_allclose(st2.traction, 2 * st.traction, rtol=1e-12)
    np.testing.assert_allclose(np.einsum("pij,pj->pi", st.secant, jump), st.traction, rtol=1e-12)
    k = (1.0 - 2.0 / 3.0) * 1e4
    # closed point pulled apart: the penalty acts in tension too; shear: the secant
    np.testing.assert_allclose(st.traction[0], [k * 1e-3, 0.0, 3e4 * 2e-3], rtol=1e-9)
    # open point pushed in: the damaged secant resists (until the status is updated)
    np.testing.assert_allclose(st.traction[1], [k * 1e-3, 0.0, -k * 2e-3], rtol=1e-9)
    np.testing.assert_array_equal(st.kappa, kappa)  # the history is held
