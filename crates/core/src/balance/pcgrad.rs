//! PCGrad (Yu et al., NeurIPS 2020): gradient surgery by projection. Cost per step: T backward
//! passes through the shared layers, T shared gradients in memory, O(T²·P) dot products.

use crate::rng::Rng;

/// PCGrad: projects each task's gradient `g_i` off every other task's *original* gradient `g_j`
/// it conflicts with (negative dot product), visiting the others in an order drawn from `rng`
/// for each task, and writes the sum of the projected gradients into `out`. Inactive tasks (no
/// labels in the batch) and zero gradients are left out.
pub fn pcgrad(grads: &[Vec<f32>], active: &[bool], rng: &mut Rng, scratch: &mut Vec<f32>, out: &mut [f32]) {
    out.fill(0.0);
    let norms_sq: Vec<f32> = grads.iter().map(|g| g.iter().map(|v| v * v).sum()).collect();
    let mut order: Vec<usize> = (0..grads.len()).filter(|&j| active[j] && norms_sq[j] > 0.0).collect();
    for i in 0..grads.len() {
        if !active[i] {
            continue;
        }
        rng.shuffle(&mut order);
        project(i, grads, &norms_sq, &order, scratch);
        out.iter_mut().zip(scratch.iter()).for_each(|(o, s)| *o += s);
    }
}

/// `g_i` projected off the conflicting `g_j`, visited in `order`, into `scratch`.
fn project(i: usize, grads: &[Vec<f32>], norms_sq: &[f32], order: &[usize], scratch: &mut Vec<f32>) {
    scratch.clear();
    scratch.extend_from_slice(&grads[i]);
    for &j in order.iter().filter(|&&j| j != i) {
        let dot: f32 = scratch.iter().zip(&grads[j]).map(|(a, b)| a * b).sum();
        if dot < 0.0 {
            let k = dot / norms_sq[j];
            scratch.iter_mut().zip(&grads[j]).for_each(|(a, b)| *a -= k * b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(grads: &[Vec<f32>]) -> Vec<f32> {
        grads.iter().map(|g| g.iter().map(|v| v * v).sum()).collect()
    }

    #[test]
    fn pcgrad_projects_conflicting_gradients_as_the_paper_says() {
        // g1·g2 = -1 < 0: g1 ← g1 - (g1·g2/‖g2‖²) g2 = (0.5, 0.5); g2 ← g2 - (g2·g1/‖g1‖²) g1 = (0, 1).
        let grads = vec![vec![1.0, 0.0], vec![-1.0, 1.0]];
        let mut out = vec![0.0; 2];
        pcgrad(&grads, &[true, true], &mut Rng::new(Some(1)), &mut Vec::new(), &mut out);
        assert!((out[0] - 0.5).abs() < 1e-6 && (out[1] - 1.5).abs() < 1e-6, "{out:?}");
        // Each projected gradient, as pcgrad computes it, no longer conflicts with the other original.
        let mut projected = Vec::new();
        for (i, j) in [(0, 1), (1, 0)] {
            project(i, &grads, &norms(&grads), &[0, 1], &mut projected);
            let dot: f32 = projected.iter().zip(&grads[j]).map(|(a, b)| a * b).sum();
            assert!(dot.abs() < 1e-6, "g{i}^PC·g{j} = {dot}");
        }
    }

    #[test]
    fn pcgrad_leaves_agreeing_gradients_and_skips_inactive_tasks() {
        let grads = vec![vec![1.0, 2.0], vec![0.5, 0.5], vec![-100.0, -100.0]];
        let mut out = vec![0.0; 2];
        pcgrad(&grads, &[true, true, false], &mut Rng::new(Some(1)), &mut Vec::new(), &mut out);
        assert_eq!(out, vec![1.5, 2.5]);
    }

    #[test]
    fn three_tasks_project_against_the_original_gradients_in_the_seeded_order() {
        // g1 = (1,0,0), g2 = (-1,1,0), g3 = (-1,-1,1): g1·g2 = g1·g3 = -1 conflict, g2·g3 = 0 does not.
        let grads = vec![vec![1.0, 0.0, 0.0], vec![-1.0, 1.0, 0.0], vec![-1.0, -1.0, 1.0]];
        let n = norms(&grads); // 1, 2, 3
                               // By hand, task 1 visiting 2 then 3 (projecting against the ORIGINAL g2, g3):
                               // after g2: (1,0,0) + 1/2·(-1,1,0) = (0.5, 0.5, 0); ·g3 = -1 < 0 → + 1/3·(-1,-1,1) = (1/6, 1/6, 1/3).
                               // Visiting 3 then 2: after g3: (1,0,0) + 1/3·(-1,-1,1) = (2/3, -1/3, 1/3); ·g2 = -1 < 0 → + 1/2·(-1,1,0) = (1/6, 1/6, 1/3).
                               // Task 2: ·g1 = -1 → g2 + g1 = (0,1,0); ·g3 = -1 → + 1/3·g3 = (-1/3, 2/3, 1/3) (order 1,3).
                               //         order 3,1: ·g3 = 0 (no change), ·g1 = -1 → (0,1,0).
                               // Task 3: ·g1 = -1 → g3 + g1 = (0,-1,1); ·g2 = -1 → + 1/2·g2 = (-1/2,-1/2,1) (order 1,2).
                               //         order 2,1: ·g2 = 0 (no change), ·g1 = -1 → (0,-1,1).
        let mut p = Vec::new();
        let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6);
        project(0, &grads, &n, &[1, 2], &mut p);
        assert!(close(&p, &[1.0 / 6.0, 1.0 / 6.0, 1.0 / 3.0]), "{p:?}");
        project(1, &grads, &n, &[0, 2], &mut p);
        assert!(close(&p, &[-1.0 / 3.0, 2.0 / 3.0, 1.0 / 3.0]), "{p:?}");
        project(1, &grads, &n, &[2, 0], &mut p);
        assert!(close(&p, &[0.0, 1.0, 0.0]), "order matters: {p:?}");
        project(2, &grads, &n, &[0, 1], &mut p);
        assert!(close(&p, &[-0.5, -0.5, 1.0]), "{p:?}");
        project(2, &grads, &n, &[1, 0], &mut p);
        assert!(close(&p, &[0.0, -1.0, 1.0]), "order matters: {p:?}");
        // pcgrad with a seed sums the projections in the orders that seed draws; redraw them here.
        let mut rng = Rng::new(Some(42));
        let mut out = vec![0.0; 3];
        pcgrad(&grads, &[true; 3], &mut rng, &mut Vec::new(), &mut out);
        let mut replay = Rng::new(Some(42));
        let mut order = vec![0, 1, 2];
        let mut expected = [0.0f32; 3];
        for i in 0..3 {
            replay.shuffle(&mut order);
            let visits: Vec<usize> = order.iter().copied().filter(|&j| j != i).collect();
            let hand: [f32; 3] = match (i, visits[0]) {
                (0, _) => [1.0 / 6.0, 1.0 / 6.0, 1.0 / 3.0],
                (1, 0) => [-1.0 / 3.0, 2.0 / 3.0, 1.0 / 3.0],
                (1, _) => [0.0, 1.0, 0.0],
                (2, 0) => [-0.5, -0.5, 1.0],
                _ => [0.0, -1.0, 1.0],
            };
            expected.iter_mut().zip(hand).for_each(|(e, h)| *e += h);
        }
        assert!(close(&out, &expected), "{out:?} vs {expected:?}");
        // The same seed gives the same result; the clone of a seeded stream continues it.
        let mut again = vec![0.0; 3];
        pcgrad(&grads, &[true; 3], &mut Rng::new(Some(42)), &mut Vec::new(), &mut again);
        assert_eq!(out, again);
    }
}
