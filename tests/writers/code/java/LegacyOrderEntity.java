package shop;

@Entity
@Table(name = "orders_legacy")
public class LegacyOrderEntity {
    Long id;
}

class Repo {
    void keep(EntityManager em) {
        em.persist(new LegacyOrderEntity());
    }
}
