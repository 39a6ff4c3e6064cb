"""The few operations on small dense matrices (lists of rows) the Bayesian models need.

Three terms at most: plain Python is faster than numpy's call overhead at this size.
"""

Matrix = list[list[float]]


def inverse(matrix: Matrix) -> Matrix | None:
    """The inverse by Gauss-Jordan elimination with partial pivoting; None when singular.

    >>> inverse([[2.0, 0.0], [0.0, 4.0]])
    [[0.5, 0.0], [0.0, 0.25]]
    >>> inverse([[1.0, 2.0], [2.0, 4.0]]) is None
    True
    """
    size = len(matrix)
    scale = max(abs(value) for row in matrix for value in row) or 1.0
    rows = [list(row) + [float(i == j) for j in range(size)] for i, row in enumerate(matrix)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        if abs(rows[pivot][column]) <= 1e-12 * scale:
            return None
        rows[column], rows[pivot] = rows[pivot], rows[column]
        lead = rows[column][column]
        rows[column] = [value / lead for value in rows[column]]
        for r in range(size):
            if r != column and rows[r][column]:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column], strict=True)]
    return [row[size:] for row in rows]


def times(matrix: Matrix, vector: list[float]) -> list[float]:
    return [sum(m * v for m, v in zip(row, vector, strict=True)) for row in matrix]


def minus(a: Matrix, b: Matrix) -> Matrix:
    return [[x - y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)]


def quadratic(vector: list[float], matrix: Matrix) -> float:
    """v' M v: the variance of v'w when w has covariance M."""
    return sum(v * m for v, row in zip(vector, matrix, strict=True) for m in times([row], vector))


def solved(precision: Matrix, natural: list[float]) -> tuple[list[float], Matrix] | None:
    """The mean and covariance of a Gaussian given by its precision and natural mean."""
    covariance = inverse(precision)
    if covariance is None:
        return None
    return times(covariance, natural), covariance
